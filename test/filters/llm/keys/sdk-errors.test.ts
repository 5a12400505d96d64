// dgp.filter.llm.keys through the real host with the official SDKs: missing, unknown, blocked and expired keys are
// 401s each SDK raises as AuthenticationError, a model or route outside the allow-list a 403 PermissionDeniedError,
// Gemini clients get Gemini's error shape; a valid key reaches the mock upstream with the endpoint's key, and the
// virtual key never appears in any upstream header or URL.
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import t from 'tap';
import { startMockAnthropic, startMockGemini, startMockOpenAi } from '../../../helpers/mock-providers/index.js';
import { startGateway } from '../../../helpers/gateway.js';
import { keysGatewayYaml, wireOf } from './helpers.js';

const VK = 'sk-dgp-virtual-CANARY-team-a';
const KEYS = `                    keys:
                      - {key: ${VK}, alias: team-a, team: a, models: ["gpt-4o-mini", "claude-*", "gemini-2.*"]}
                      - {key: sk-dgp-blocked, alias: off, blocked: true}
                      - {key: sk-dgp-expired, alias: old, expires_at: "2020-01-01T00:00:00Z"}
                      - {key: sk-dgp-other-route, alias: elsewhere, routes: [admin-only]}
`;
const chat = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'hi' }] };
const reply = { text: 'hello', usage: { input: 3, output: 1 } };

t.test('OpenAI SDK: 401 and 403 as the SDK error classes; a valid key goes upstream as the endpoint key', async (t) => {
  const up = await startMockOpenAi({ reply });
  const g = await startGateway(keysGatewayYaml({ keys: KEYS, provider: 'openai', port: up.port, routeId: 'chat' }));
  t.teardown(async () => (await g.close(), await up.close()));
  const client = (apiKey: string) => new OpenAI({ apiKey, baseURL: `${g.url()}/v1`, maxRetries: 0 });

  for (const [key, code] of [
    ['sk-unknown', 'DGP_ERR_KEYS_INVALID'],
    ['sk-dgp-blocked', 'DGP_ERR_KEYS_BLOCKED'],
    ['sk-dgp-expired', 'DGP_ERR_KEYS_EXPIRED'],
  ] as const) {
    const err = await client(key).chat.completions.create(chat).catch((e: unknown) => e);
    t.ok(err instanceof OpenAI.AuthenticationError, `${code}: AuthenticationError`);
    t.equal((err as InstanceType<typeof OpenAI.APIError>).status, 401);
    t.equal((err as InstanceType<typeof OpenAI.APIError>).code, code);
  }
  const missing = await fetch(`${g.url()}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(chat) });
  t.equal(missing.status, 401);
  t.match(await missing.json(), { error: { type: 'authentication_error', code: 'DGP_ERR_KEYS_MISSING' } });

  const denied = await client(VK).chat.completions.create({ ...chat, model: 'gpt-4o' }).catch((e: unknown) => e);
  t.ok(denied instanceof OpenAI.PermissionDeniedError, 'a model outside the allow-list: PermissionDeniedError');
  t.equal((denied as InstanceType<typeof OpenAI.APIError>).code, 'DGP_ERR_KEYS_MODEL_NOT_ALLOWED');
  const route = await client('sk-dgp-other-route').chat.completions.create(chat).catch((e: unknown) => e);
  t.ok(route instanceof OpenAI.PermissionDeniedError, 'a route outside the allow-list: PermissionDeniedError');
  t.equal((route as InstanceType<typeof OpenAI.APIError>).code, 'DGP_ERR_KEYS_ROUTE_NOT_ALLOWED');
  t.equal(up.requests.length, 0, 'no refused request reached the upstream');

  const ok = await client(VK).chat.completions.create({ ...chat, user: 'customer-7' });
  t.equal(ok.choices[0]?.message.content, 'hello');
  t.equal(up.requests.length, 1);
  t.equal(up.requests[0]!.headers.authorization, 'Bearer sk-test', 'the endpoint key went upstream');
  t.notMatch(wireOf(up.requests), /CANARY/, 'the virtual key never went upstream');
  const access = g.logs.filter((l) => l.type === 'access').at(-1)!;
  t.match(access, { key_id: 'team-a', key_alias: 'team-a', team: 'a', end_user: 'customer-7' });
  t.notMatch(JSON.stringify(g.logs), /CANARY/, 'the key is never logged');
});

t.test('Anthropic SDK: 401 and 403 as the SDK error classes; x-api-key never goes upstream', async (t) => {
  const up = await startMockAnthropic({ reply });
  const g = await startGateway(keysGatewayYaml({ keys: KEYS, provider: 'anthropic', port: up.port }));
  t.teardown(async () => (await g.close(), await up.close()));
  const client = (apiKey: string) => new Anthropic({ apiKey, baseURL: g.url(), maxRetries: 0 });
  const msg = { model: 'claude-3-5-haiku', max_tokens: 10, messages: [{ role: 'user' as const, content: 'hi' }] };

  const unknown = await client('sk-unknown').messages.create(msg).catch((e: unknown) => e);
  t.ok(unknown instanceof Anthropic.AuthenticationError, 'unknown key: AuthenticationError');
  t.match((unknown as InstanceType<typeof Anthropic.APIError>).error, { type: 'error', error: { type: 'authentication_error', code: 'DGP_ERR_KEYS_INVALID' } });
  const denied = await client(VK).messages.create({ ...msg, model: 'gpt-4o' }).catch((e: unknown) => e);
  t.ok(denied instanceof Anthropic.PermissionDeniedError, 'model not allowed: PermissionDeniedError');
  t.match((denied as InstanceType<typeof Anthropic.APIError>).error, { error: { type: 'permission_error', code: 'DGP_ERR_KEYS_MODEL_NOT_ALLOWED' } });

  const ok = await client(VK).messages.create({ ...msg, metadata: { user_id: 'u-1' } });
  t.match(ok.content, [{ type: 'text', text: 'hello' }]);
  t.equal(up.requests[0]!.headers['x-api-key'], 'sk-ant-test', 'the endpoint key went upstream');
  t.notMatch(wireOf(up.requests), /CANARY/, 'the virtual key never went upstream');
  t.match(g.logs.filter((l) => l.type === 'access').at(-1), { key_id: 'team-a', end_user: 'u-1' });
});

t.test('Gemini clients: errors in Gemini shape; ?key= and x-goog-api-key accepted and stripped', async (t) => {
  const up = await startMockGemini({ reply });
  const g = await startGateway(keysGatewayYaml({ keys: KEYS, provider: 'gemini', port: up.port }));
  t.teardown(async () => (await g.close(), await up.close()));
  const body = JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] });
  const call = (model: string, query: string, headers: Record<string, string> = {}) =>
    fetch(`${g.url()}/v1beta/models/${model}:generateContent${query}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

  const missing = await call('gemini-2.0-flash', '');
  t.equal(missing.status, 401);
  t.match(await missing.json(), { error: { code: 401, status: 'UNAUTHENTICATED', details: [{ reason: 'DGP_ERR_KEYS_MISSING' }] } });
  const denied = await call('gemini-1.5-pro', '', { 'x-goog-api-key': VK });
  t.equal(denied.status, 403);
  t.match(await denied.json(), { error: { code: 403, status: 'PERMISSION_DENIED', details: [{ reason: 'DGP_ERR_KEYS_MODEL_NOT_ALLOWED' }] } });

  const viaQuery = await call('gemini-2.0-flash', `?alt=json&key=${VK}`);
  t.equal(viaQuery.status, 200, await viaQuery.clone().text());
  const viaHeader = await call('gemini-2.0-flash', '', { 'x-goog-api-key': VK });
  t.equal(viaHeader.status, 200);
  t.equal(up.requests.length, 2);
  for (const r of up.requests) {
    t.equal(r.headers['x-goog-api-key'], 'gm-test', 'the endpoint key went upstream');
    t.equal(r.query.get('key'), null, 'no key parameter upstream');
  }
  t.notMatch(wireOf(up.requests), /CANARY/, 'the virtual key never went upstream');
});

t.test('an endpoint without llm_meta.api_key: a clear 500, never the virtual key upstream', async (t) => {
  const up = await startMockOpenAi({ reply });
  const g = await startGateway(keysGatewayYaml({ keys: KEYS, provider: 'openai', port: up.port, apiKey: '' }));
  t.teardown(async () => (await g.close(), await up.close()));
  const err = await new OpenAI({ apiKey: VK, baseURL: `${g.url()}/v1`, maxRetries: 0 }).chat.completions.create(chat).catch((e: unknown) => e);
  t.ok(err instanceof OpenAI.InternalServerError);
  t.equal((err as InstanceType<typeof OpenAI.APIError>).code, 'DGP_ERR_KEYS_ENDPOINT_KEY_MISSING');
  t.match((err as Error).message, /endpoint ep-0 of cluster llm has no llm_meta\.api_key/);
  t.equal(up.requests.length, 0);

  // allow_keyless_endpoints: the request goes with no credential at all (local models).
  await g.writeConfig(keysGatewayYaml({ keys: `${KEYS}                    allow_keyless_endpoints: true\n`, provider: 'openai', port: up.port, apiKey: '' }));
  t.match(await g.gw.reload(), { ok: true });
  await new OpenAI({ apiKey: VK, baseURL: `${g.url()}/v1`, maxRetries: 0 }).chat.completions.create(chat).catch(() => undefined);
  t.equal(up.requests.length, 1);
  t.equal(up.requests[0]!.headers.authorization, undefined, 'no credential upstream');
  t.notMatch(wireOf(up.requests), /CANARY/);
});
