// The shipped configs/conf.yaml is safe: with no environment variables the client's own key passes through (bring
// your own key); with OPENAI_API_KEY set, anonymous callers are refused (401) before the upstream and only the
// virtual key in DGP_API_KEY gets through, with the operator's key sent upstream. The startup log says which mode.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import t from 'tap';
import { startMockOpenAi } from '../../../helpers/mock-providers/index.js';
import { startGateway } from '../../../helpers/gateway.js';

const SHIPPED = readFileSync(fileURLToPath(new URL('../../../../configs/conf.yaml', import.meta.url)), 'utf8')
  .split('\n')
  .filter((l) => !l.trimStart().startsWith('#'))
  .join('\n');
const chat = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'hi' }] };

/** The shipped file, pointed at loopback: listener and admin on free ports, the endpoint at the mock over http. */
function loopback(mockPort: number): string {
  const out = SHIPPED.replace('address: 0.0.0.0\n          port: 8888', 'address: 127.0.0.1\n          port: 0')
    .replace('domains:\n              - api.openai.com\n            port: 443', `address: 127.0.0.1\n            port: ${mockPort}`)
    .replace('scheme: https', 'scheme: http')
    .replace(/admin:\n  address: 127\.0\.0\.1\n  port: 8889/, 'admin:\n  address: 127.0.0.1\n  port: 0');
  if (out.includes('8888') || out.includes('api.openai.com') || out.includes('8889')) throw new Error('configs/conf.yaml changed shape: update this test');
  return out;
}
const modeLine = (logs: Array<Record<string, unknown>>) => logs.find((l) => typeof l.msg === 'string' && l.msg.startsWith('Keys:'))?.msg;

t.test('no environment variables: the client key passes through', async (t) => {
  const up = await startMockOpenAi({ reply: { text: 'hello' }, apiKey: 'sk-own' });
  const g = await startGateway(loopback(up.port), { env: {} });
  t.teardown(async () => (await g.close(), await up.close()));
  t.equal(modeLine(g.logs), "Keys: no cluster has a server-side API key, so requests pass through with the client's own credentials.");
  const ok = await new OpenAI({ apiKey: 'sk-own', baseURL: `${g.url()}/v1`, maxRetries: 0 }).chat.completions.create(chat);
  t.equal(ok.choices[0]?.message.content, 'hello');
  t.equal(up.requests[0]!.headers.authorization, 'Bearer sk-own');
});

t.test('OPENAI_API_KEY set: anonymous callers get 401, never the operator key', async (t) => {
  const up = await startMockOpenAi({ reply: { text: 'hello' }, apiKey: 'sk-operator' });
  const g = await startGateway(loopback(up.port), { env: { OPENAI_API_KEY: 'sk-operator' } });
  t.teardown(async () => (await g.close(), await up.close()));
  t.equal(modeLine(g.logs), "Keys: requests to openai use the gateway's API key and need a client key (accepted: 0 static keys), so they are all refused until a key is configured.");
  const anon = await fetch(`${g.url()}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(chat) });
  t.equal(anon.status, 401);
  const guess = await new OpenAI({ apiKey: 'sk-anything', baseURL: `${g.url()}/v1`, maxRetries: 0 }).chat.completions.create(chat).catch((e: unknown) => e);
  t.ok(guess instanceof OpenAI.AuthenticationError);
  t.equal(up.requests.length, 0, 'nothing reached the upstream');
});

t.test('OPENAI_API_KEY and DGP_API_KEY set: the virtual key gets through with the operator key upstream', async (t) => {
  const up = await startMockOpenAi({ reply: { text: 'hello' }, apiKey: 'sk-operator' });
  const g = await startGateway(loopback(up.port), { env: { OPENAI_API_KEY: 'sk-operator', DGP_API_KEY: 'sk-dgp-team' } });
  t.teardown(async () => (await g.close(), await up.close()));
  t.equal(modeLine(g.logs), "Keys: requests to openai use the gateway's API key and need a client key (accepted: 1 static key).");
  const ok = await new OpenAI({ apiKey: 'sk-dgp-team', baseURL: `${g.url()}/v1`, maxRetries: 0 }).chat.completions.create(chat);
  t.equal(ok.choices[0]?.message.content, 'hello');
  t.equal(up.requests[0]!.headers.authorization, 'Bearer sk-operator');
  const config = await (await fetch(`${g.adminUrl}/config`)).text();
  t.notMatch(config, /sk-dgp-team|sk-operator/, 'GET /config redacts the virtual key and the operator key');
  t.match(config, /"key": ?"\[redacted\]"/);
});
