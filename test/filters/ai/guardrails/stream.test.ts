// Streams without leaks: a secret split over 2, 3 and 20 upstream chunks never reaches the client — checked on the raw
// bytes of OpenAI, Anthropic and Gemini client streams, in text and in tool-call arguments — and a block ends each
// stream the way its API ends a filtered answer; redaction writes [SECRET] in place and keeps the text around it.
import t from 'tap';
import { startGateway, type TestGateway } from '../../../helpers/gateway.js';
import { CLIENT_APIS, ask, guardGatewayYaml, leaks, split, startPiecesUpstream, streamedText, type ClientApi, type PiecesUpstream } from './helpers.js';

const SECRET = 'sk-proj-Zq3xW9vLm2Pt7Rk4Yb8Nc1Hd6Jf5Gs0A';
const BEFORE = 'Sure. The deployment key you asked about is ';
const AFTER = ' and it rotates every ninety days, as the runbook says.';

const FILTERED: Record<ClientApi, RegExp> = {
  openai: /"finish_reason":"content_filter"[\s\S]*data: \[DONE\]\n\n$/,
  anthropic: /"stop_reason":"refusal"[\s\S]*event: message_stop\ndata: \{"type":"message_stop"\}\n\n$/,
  gemini: /"finishReason":"SAFETY"/,
};

let up: PiecesUpstream;
const gws: Record<string, TestGateway> = {};

t.before(async () => {
  up = await startPiecesUpstream();
  for (const action of ['block', 'redact']) {
    gws[action] = await startGateway(guardGatewayYaml(`                    output:\n                      - { check: secrets, action: ${action} }\n                    stream_holdback_chars: 32`, up.port));
  }
});
t.teardown(async () => {
  for (const gw of Object.values(gws)) await gw.close();
  await up.close();
});

for (const api of CLIENT_APIS) {
  for (const n of [2, 3, 20]) {
    t.test(`${api}: a secret in ${n} chunks is blocked before any of it leaves`, async (t) => {
      up.script = { pieces: [BEFORE, ...split(SECRET, n), AFTER] };
      const r = await ask(gws.block!.url(), api, 'what is the key?', true);
      t.equal(r.status, 200);
      t.notOk(leaks(r.text, SECRET), 'no 6-character piece of the secret in the bytes');
      t.match(r.text, FILTERED[api]);
      t.notOk(r.text.includes('rotates'), 'nothing after the secret either');
    });

    t.test(`${api}: a secret in ${n} chunks is redacted in place`, async (t) => {
      up.script = { pieces: [BEFORE, ...split(SECRET, n), AFTER] };
      const r = await ask(gws.redact!.url(), api, 'what is the key?', true);
      t.equal(r.status, 200);
      t.notOk(leaks(r.text, SECRET));
      t.equal(streamedText(api, r.text), `${BEFORE}[SECRET]${AFTER}`);
      t.notMatch(r.text, FILTERED[api]);
    });
  }

  t.test(`${api}: a secret in tool-call arguments split over 20 chunks is held and checked whole`, async (t) => {
    up.script = { pieces: ['Sending it now.'], toolArgs: ['{"to":"ops","key":"', ...split(SECRET, 20), '"}'] };
    const blocked = await ask(gws.block!.url(), api, 'send the key', true, toolsFor(api));
    t.equal(blocked.status, 200);
    t.notOk(leaks(blocked.text, SECRET));
    t.match(blocked.text, FILTERED[api]);
    const masked = await ask(gws.redact!.url(), api, 'send the key', true, toolsFor(api));
    t.notOk(leaks(masked.text, SECRET));
    t.match(masked.text, /\[SECRET\]/);
    t.match(masked.text, /send/, 'the tool call itself is passed on');
  });

  t.test(`${api}: unary answers are checked too`, async (t) => {
    up.script = { pieces: [BEFORE, SECRET, AFTER] };
    const blocked = await ask(gws.block!.url(), api, 'what is the key?', false);
    t.equal(blocked.status, 200);
    t.notOk(leaks(blocked.text, SECRET));
    t.match(blocked.text, { openai: /"finish_reason":"content_filter"/, anthropic: /"stop_reason":"refusal"/, gemini: /"finishReason":"SAFETY"/ }[api]);
    const masked = await ask(gws.redact!.url(), api, 'what is the key?', false);
    t.notOk(leaks(masked.text, SECRET));
    t.match(masked.text, `${BEFORE}[SECRET]${AFTER}`);
  });
}

function toolsFor(api: ClientApi): Record<string, unknown> {
  const schema = { type: 'object', properties: { to: { type: 'string' }, key: { type: 'string' } } };
  if (api === 'openai') return { tools: [{ type: 'function', function: { name: 'send', parameters: schema } }] };
  if (api === 'anthropic') return { tools: [{ name: 'send', input_schema: schema }] };
  return { tools: [{ functionDeclarations: [{ name: 'send', parameters: schema }] }] };
}

t.test('held text does not starve the client: the proxy\'s keep-alive comments pass while the window holds', async (t) => {
  const slow = await startPiecesUpstream({ pieces: ['one ', 'two ', 'three ', 'four'], intervalMs: 150 });
  const yaml = guardGatewayYaml('                    output:\n                      - { check: secrets }\n                    stream_holdback_chars: 4096', slow.port).replace('config: {}', 'config: {sse_keepalive: 60ms}');
  const gw = await startGateway(yaml);
  t.teardown(async () => (await gw.close(), await slow.close()));
  const r = await ask(gw.url(), 'openai', 'count', true);
  t.match(r.text, /^[\s\S]*: keep-alive\n\n[\s\S]*"content":"one two three four"/);
  t.equal(streamedText('openai', r.text), 'one two three four');
});

t.test('an upstream cut mid-answer: an error event, the held text dropped, the connection cut as without guardrails', async (t) => {
  const cut = await startPiecesUpstream({ pieces: ['Released early enough. ', 'sk-proj-', 'Zq3xW9vLm2', 'never sent'], cutAfter: 3, intervalMs: 20 });
  const gw = await startGateway(guardGatewayYaml('                    output:\n                      - { check: secrets }\n                    stream_holdback_chars: 16', cut.port));
  t.teardown(async () => (await gw.close(), await cut.close()));
  const res = await fetch(`${gw.url()}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }], stream: true }) });
  let raw = '';
  const err = await (async () => {
    for await (const c of res.body as unknown as AsyncIterable<Uint8Array>) raw += Buffer.from(c).toString('utf8');
  })().catch((e: unknown) => e);
  t.ok(err instanceof Error, 'the client connection was cut, not ended cleanly');
  t.match(raw, /data: \{"error":/);
  t.notOk(raw.includes('sk-proj'), 'the held, unfinished text is not released');
  t.notOk(raw.includes('Zq3x'));
});

t.test('user patterns on the output run in the worker pool per window and redact across chunks', async (t) => {
  const u = await startPiecesUpstream({ pieces: ['The codename is Proj', 'ect  Blue', 'bird, do not share.'] });
  const gw = await startGateway(guardGatewayYaml('                    output:\n                      - { check: deny, name: codenames, patterns: ["(?i)project\\\\s+bluebird"], action: redact, budget: 10s }\n                    stream_holdback_chars: 16', u.port));
  t.teardown(async () => (await gw.close(), await u.close()));
  for (const api of CLIENT_APIS) {
    const r = await ask(gw.url(), api, 'codename?', true);
    t.equal(streamedText(api, r.text), 'The codename is [REDACTED], do not share.', api);
    t.notMatch(r.text, /Blue|bird/i);
  }
});
