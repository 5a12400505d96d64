// A client's credentials never reach an endpoint that has its own key (issue 19 items 1 and 8), through the real
// gateway: `?key=` (and its spellings) in the query, Authorization, x-api-key, api-key, x-goog-api-key and Cookie —
// on Pixiu's pure pass-through, on a codec pass-through (Anthropic, Gemini, OpenAI with model_map) and on a
// translation. Other query parameters keep their exact bytes; each upstream still gets its own key and answers 200.
import t from 'tap';
import { request } from 'undici';
import { startGateway } from '../../../helpers/gateway.js';
import { KEYS, gatewayYaml, startMock, type Provider } from '../../../e2e/providers/helpers.js';
import type { MockProvider } from '../../../helpers/mock-providers/index.js';

const SECRET = 'CLIENT-SECRET-77';
const QUERY = `key=${SECRET}&api-version=2024-01-01&x=a%20b&API_KEY=${SECRET}&access_token=${SECRET}`;
const HEADERS = {
  'content-type': 'application/json',
  authorization: `Bearer ${SECRET}`,
  'x-api-key': SECRET,
  'api-key': SECRET,
  'x-goog-api-key': SECRET,
  cookie: `session=${SECRET}`,
};
const MESSAGES = [{ role: 'user', content: 'hi' }];

interface Case {
  label: string;
  provider: Provider;
  /** The client's path (before the query) and body. */
  path: string;
  body: object;
  extra?: Record<string, unknown>;
}

const CASES: Case[] = [
  { label: 'OpenAI pure pass-through', provider: 'openai', path: '/v1/chat/completions', body: { model: 'm', messages: MESSAGES } },
  { label: 'OpenAI with model_map (codec pass-through)', provider: 'openai', path: '/v1/chat/completions', body: { model: 'm', messages: MESSAGES }, extra: { model_map: { m: 'gpt-x' } } },
  { label: 'Anthropic client, Anthropic endpoint', provider: 'anthropic', path: '/v1/messages', body: { model: 'm', max_tokens: 16, messages: MESSAGES } },
  { label: 'Gemini client, Gemini endpoint', provider: 'gemini', path: '/v1beta/models/m:generateContent', body: { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] } },
  { label: 'OpenAI client, Anthropic endpoint (translated)', provider: 'anthropic', path: '/v1/chat/completions', body: { model: 'm', messages: MESSAGES } },
];

t.test("a client's credentials never travel to a keyed endpoint, in any form", async (t) => {
  const mocks: MockProvider[] = [];
  for (const c of CASES) mocks.push(await startMock(c.provider, { text: 'ok', usage: { input: 1, output: 1 } }));
  const gw = await startGateway(
    gatewayYaml(CASES.map((c, i) => ({ name: `l${i}`, cluster: `c${i}`, endpoints: [{ id: `ep${i}`, provider: c.provider, port: mocks[i]!.port, ...(c.extra ? { extra: c.extra } : {}) }] }))),
  );
  t.teardown(async () => {
    await gw.close();
    for (const m of mocks) await m.close();
  });
  for (const [i, c] of CASES.entries()) {
    const res = await request(`${gw.url(`l${i}`)}${c.path}?${QUERY}`, { method: 'POST', headers: HEADERS, body: JSON.stringify(c.body) });
    const text = await res.body.text();
    t.equal(res.statusCode, 200, `${c.label}: 200 (${text.slice(0, 200)})`);
    const seen = mocks[i]!.requests.at(-1)!;
    const wire = JSON.stringify({ path: seen.path, query: [...seen.query], headers: seen.headers, body: seen.raw.toString() });
    t.notOk(wire.includes(SECRET), `${c.label}: the upstream never saw the client's secret`);
    t.ok(JSON.stringify(seen.headers).includes(KEYS[c.provider]), `${c.label}: the endpoint's own key was sent`);
    if (c.label === 'OpenAI pure pass-through') {
      t.same([...seen.query], [['api-version', '2024-01-01'], ['x', 'a b']], `${c.label}: the other parameters kept`);
    }
  }
});

t.test('an endpoint without a key still receives the client credentials (Pixiu)', async (t) => {
  const mock = await startMock('openai', { text: 'ok' });
  const gw = await startGateway(gatewayYaml([{ name: 'open', cluster: 'open', endpoints: [{ id: 'ep', provider: 'openai', port: mock.port, apiKey: '' }] }]));
  t.teardown(async () => (await gw.close(), await mock.close()));
  const res = await request(`${gw.url('open')}/v1/chat/completions?key=k1`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${KEYS.openai}` },
    body: JSON.stringify({ model: 'm', messages: MESSAGES }),
  });
  await res.body.dump();
  t.equal(res.statusCode, 200);
  t.equal(mock.requests.at(-1)!.query.get('key'), 'k1', 'the query as sent');
  t.equal(mock.requests.at(-1)!.headers.authorization, `Bearer ${KEYS.openai}`);
});
