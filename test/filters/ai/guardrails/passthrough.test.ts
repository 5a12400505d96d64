// Same API on both sides (the bytes would pass through untouched): the answer is still read by the client API's codec
// and checked — Anthropic, Gemini (SSE and the JSON-array stream) and OpenAI strict mocks, unary and streamed — and the
// upstream is asked for an uncompressed answer so the checks can read it.
import t from 'tap';
import { startGateway } from '../../../helpers/gateway.js';
import { KEYS, startMock, type Provider } from '../../../e2e/providers/helpers.js';
import { ask, guardGatewayYaml, streamedText, type ClientApi } from './helpers.js';

const TEXT = 'Contact jane.roe@example.com or +1 415 555 2671 before noon.';
const MASKED = 'Contact [EMAIL] or [PHONE] before noon.';

for (const api of ['openai', 'anthropic', 'gemini'] as const satisfies readonly ClientApi[]) {
  t.test(`${api} client to a ${api} upstream: redacted in the unary and the streamed answer`, async (t) => {
    const mock = await startMock(api as Provider, { text: TEXT });
    const gw = await startGateway(
      guardGatewayYaml('                    output:\n                      - { check: pii, entities: [email, phone] }\n                    stream_holdback_chars: 24', mock.port, api).replace('"sk-test"', JSON.stringify(KEYS[api as Provider])),
    );
    t.teardown(async () => (await gw.close(), await mock.close()));
    const unary = await ask(gw.url(), api, 'who?', false);
    t.equal(unary.status, 200, unary.text);
    t.match(unary.text, MASKED);
    t.notOk(unary.text.includes('jane.roe'));
    const streamed = await ask(gw.url(), api, 'who?', true);
    t.equal(streamed.status, 200);
    t.equal(streamedText(api, streamed.text), MASKED);
    t.notOk(streamed.text.includes('jane.roe'));
    t.equal(mock.requests[mock.requests.length - 1]!.headers['accept-encoding'], 'identity');
  });
}

t.test('gemini JSON-array stream (no alt=sse): read whole, redacted, still an array', async (t) => {
  const mock = await startMock('gemini', { text: TEXT });
  const gw = await startGateway(guardGatewayYaml('                    output:\n                      - { check: pii, entities: [email, phone] }', mock.port, 'gemini').replace('"sk-test"', JSON.stringify(KEYS.gemini)));
  t.teardown(async () => (await gw.close(), await mock.close()));
  const res = await fetch(`${gw.url()}/v1beta/models/gemini-2.5-flash:streamGenerateContent`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-goog-api-key': 'client' },
    body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'who?' }] }] }),
  });
  const body = JSON.parse(await res.text()) as Array<{ candidates?: Array<{ content?: { parts?: Array<{ text?: string }> } }> }>;
  t.ok(Array.isArray(body));
  t.equal(body.map((e) => e.candidates?.[0]?.content?.parts?.map((p) => p.text ?? '').join('') ?? '').join(''), MASKED);
});

for (const api of ['anthropic', 'gemini'] as const) {
  t.test(`${api} same API: tool-call arguments are checked whole and masked, the call itself intact`, async (t) => {
    const mock = await startMock(api, { toolCalls: [{ id: 'call_1', name: 'notify', args: { to: 'jane.roe@example.com', note: 'urgent' } }] });
    const gw = await startGateway(guardGatewayYaml('                    output:\n                      - { check: pii, entities: [email] }', mock.port, api).replace('"sk-test"', JSON.stringify(KEYS[api])));
    t.teardown(async () => (await gw.close(), await mock.close()));
    const tools = api === 'anthropic' ? { tools: [{ name: 'notify', input_schema: { type: 'object' } }] } : { tools: [{ functionDeclarations: [{ name: 'notify', parameters: { type: 'object' } }] }] };
    for (const stream of [false, true]) {
      const r = await ask(gw.url(), api, 'notify jane', stream, tools);
      t.equal(r.status, 200, r.text);
      t.notOk(r.text.includes('jane.roe'), `${stream ? 'streamed' : 'unary'}: masked`);
      t.match(r.text, /notify/);
      t.match(r.text, /\[EMAIL\]/);
      t.match(r.text, /urgent/);
    }
  });
}

t.test('input: content parts are masked, image parts left alone', async (t) => {
  const mock = await startMock('openai', { text: 'ok' });
  const gw = await startGateway(guardGatewayYaml('                    input:\n                      - { check: pii, entities: [email] }', mock.port, 'openai'));
  t.teardown(async () => (await gw.close(), await mock.close()));
  const image = { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } };
  const r = await ask(gw.url(), 'openai', '', false, { messages: [{ role: 'user', content: [{ type: 'text', text: 'from a@example.com' }, image] }] });
  t.equal(r.status, 200);
  t.same((mock.requests[0]!.body as { messages: unknown[] }).messages, [{ role: 'user', content: [{ type: 'text', text: 'from [EMAIL]' }, image] }]);
});
