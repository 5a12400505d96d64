// Limits beyond the key itself, through the real gateway: a blocked team or user (static config or key store, set
// through the admin API) refuses all its keys with 401 in each client's shape; a JWT's budget tier selects its
// configured budget; on_exhaust.fallback_model serves a Gemini request (model in the path) with the fallback.
import Anthropic from '@anthropic-ai/sdk';
import { SignJWT } from 'jose';
import OpenAI from 'openai';
import t from 'tap';
import { startMockAnthropic, startMockGemini, startMockOpenAi } from '../../../helpers/mock-providers/index.js';
import { MASTER, accessLines, startSpendGateway, waitFor } from './spend/helpers.js';

const chat = { model: 'gpt-4o-mini', max_tokens: 50, messages: [{ role: 'user' as const, content: 'hi' }] };
const admin = (url: string, method: string, path: string, body: object) =>
  fetch(`${url}${path}`, { method, headers: { authorization: `Bearer ${MASTER}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

t.test('a blocked static team or user refuses every one of its keys with 401, in the OpenAI and Anthropic shapes', async (t) => {
  const keys = `                    teams:
                      - {id: red, blocked: true}
                      - {id: blue}
                    users:
                      - {id: mallory, blocked: true}
                    keys:
                      - {key: sk-red-1, team: red}
                      - {key: sk-red-2, team: red}
                      - {key: sk-blue, team: blue}
                      - {key: sk-mallory, team: blue, user: mallory}
`;
  const up = await startMockOpenAi({ reply: { text: 'ok' } });
  const g = await startSpendGateway({ keys, provider: 'openai', port: up.port });
  t.teardown(async () => (await g.close(), await up.close()));
  const client = (key: string) => new OpenAI({ apiKey: key, baseURL: `${g.url()}/v1`, maxRetries: 0 });
  for (const key of ['sk-red-1', 'sk-red-2']) {
    const e = await client(key).chat.completions.create(chat).catch((err: unknown) => err);
    t.ok(e instanceof OpenAI.AuthenticationError, `${key}: 401 AuthenticationError`);
    t.match((e as InstanceType<typeof OpenAI.APIError>).error, { code: 'DGP_ERR_KEYS_BLOCKED', message: /team red of key .* is blocked/ });
  }
  const m = await client('sk-mallory').chat.completions.create(chat).catch((err: unknown) => err);
  t.ok(m instanceof OpenAI.AuthenticationError, 'a blocked user refuses its key although its team is fine');
  t.match((m as InstanceType<typeof OpenAI.APIError>).error, { message: /user mallory/ });
  t.equal((await client('sk-blue').chat.completions.create(chat)).choices[0]?.message.content, 'ok', 'another team passes');
  t.equal(up.requests.length, 1, 'no refused request reached the upstream');

  const aup = await startMockAnthropic({ reply: { text: 'ok' } });
  const ag = await startSpendGateway({ keys, provider: 'anthropic', port: aup.port });
  t.teardown(async () => (await ag.close(), await aup.close()));
  const ae = await new Anthropic({ apiKey: 'sk-red-1', baseURL: ag.url(), maxRetries: 0 })
    .messages.create({ model: 'claude-3-5-haiku-20241022', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] })
    .catch((err: unknown) => err);
  t.ok(ae instanceof Anthropic.AuthenticationError, 'Anthropic client: AuthenticationError');
  t.match((ae as InstanceType<typeof Anthropic.APIError>).error, { type: 'error', error: { type: 'authentication_error' } });
});

t.test('blocking a store team or user through the admin API (native, LiteLLM /user/new and /team/block) refuses its keys at once; unblocking lets them in', async (t) => {
  const up = await startMockOpenAi({ reply: { text: 'ok' } });
  const g = await startSpendGateway({ keys: '', provider: 'openai', port: up.port });
  t.teardown(async () => (await g.close(), await up.close()));
  t.equal((await admin(g.adminUrl, 'POST', '/admin/v1/teams', { id: 'green' })).status, 201);
  t.equal((await admin(g.adminUrl, 'POST', '/user/new', { user_id: 'u1', team_id: 'green' })).status, 200);
  const gen = (await (await admin(g.adminUrl, 'POST', '/key/generate', { team_id: 'green', user_id: 'u1' })).json()) as { key: string };
  const client = new OpenAI({ apiKey: gen.key, baseURL: `${g.url()}/v1`, maxRetries: 0 });
  t.ok(await client.chat.completions.create(chat), 'admitted before the block (team and user now cached)');

  t.equal((await admin(g.adminUrl, 'PATCH', '/admin/v1/teams/green', { blocked: true })).status, 200);
  const e = await client.chat.completions.create(chat).catch((err: unknown) => err);
  t.ok(e instanceof OpenAI.AuthenticationError, 'the team block applies at once, not after the cache TTL');
  t.match((e as InstanceType<typeof OpenAI.APIError>).error, { code: 'DGP_ERR_KEYS_BLOCKED', message: /team green/ });
  t.equal((await admin(g.adminUrl, 'PATCH', '/admin/v1/teams/green', { blocked: false })).status, 200);
  t.ok(await client.chat.completions.create(chat), 'unblocked');

  const blocked = await admin(g.adminUrl, 'POST', '/team/block', { team_id: 'green' });
  t.equal(blocked.status, 200);
  t.match(await blocked.json(), { team_id: 'green', blocked: true }, 'LiteLLM /team/block');
  t.ok((await client.chat.completions.create(chat).catch((err: unknown) => err)) instanceof OpenAI.AuthenticationError);
  t.equal((await admin(g.adminUrl, 'POST', '/team/unblock', { team_id: 'green' })).status, 200);
  t.ok(await client.chat.completions.create(chat), 'LiteLLM /team/unblock');
  t.equal((await admin(g.adminUrl, 'POST', '/team/block', { team_id: 'nope' })).status, 404);

  t.equal((await admin(g.adminUrl, 'PATCH', '/admin/v1/users/u1', { blocked: true })).status, 200);
  const u = await client.chat.completions.create(chat).catch((err: unknown) => err);
  t.ok(u instanceof OpenAI.AuthenticationError, 'a blocked user refuses its key');
  t.match((u as InstanceType<typeof OpenAI.APIError>).error, { message: /user u1/ });
  t.equal(up.requests.length, 3);
});

t.test("a JWT's budget tier claim selects the tier's budget; a tier the config does not list is a 401", async (t) => {
  const secret = 'jwt-secret-'.padEnd(40, 'x');
  const keys = `                    jwt: {hs256_secret: ${secret}, claims: {budget_tier: plan}}
                    budget_tiers:
                      free: {max_budget_usd: 0.000001, budget_duration: 1d}
                      pro: {max_budget_usd: 10, budget_duration: 1d}
`;
  const up = await startMockOpenAi({ reply: { text: 'ok', usage: { input: 5, output: 5 } } });
  const g = await startSpendGateway({ keys, provider: 'openai', port: up.port });
  t.teardown(async () => (await g.close(), await up.close()));
  const token = (sub: string, plan?: string) =>
    new SignJWT({ sub, ...(plan === undefined ? {} : { plan }) }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('5m').sign(new TextEncoder().encode(secret));
  const client = async (sub: string, plan?: string) => new OpenAI({ apiKey: await token(sub, plan), baseURL: `${g.url()}/v1`, maxRetries: 0 });

  const free = await (await client('ann', 'free')).chat.completions.create(chat).catch((err: unknown) => err);
  t.ok(free instanceof OpenAI.RateLimitError, "the free tier's budget is smaller than one request: 429");
  t.match((free as InstanceType<typeof OpenAI.APIError>).error, { type: 'insufficient_quota', details: { budget: 'key:jwt:ann' } });
  t.equal((free as InstanceType<typeof OpenAI.APIError>).headers?.get('x-should-retry'), 'false');
  t.ok(await (await client('bob', 'pro')).chat.completions.create(chat), 'the pro tier admits');
  t.ok(await (await client('cy')).chat.completions.create(chat), 'no tier claim: no tier budget');
  const unknown = await (await client('dee', 'platinum')).chat.completions.create(chat).catch((err: unknown) => err);
  t.ok(unknown instanceof OpenAI.AuthenticationError, 'an unknown tier: 401');
  t.match((unknown as InstanceType<typeof OpenAI.APIError>).error, { code: 'DGP_ERR_KEYS_JWT_INVALID', message: /budget tier "platinum"/ });
  t.equal(up.requests.length, 2);
});

t.test('on_exhaust.fallback_model on a Gemini request: the model in the path is rewritten, unary and streamed, and the answer says so', async (t) => {
  const keys = `                    keys:
                      - key: gm-virtual
                        alias: gem
                        model_budgets: {gemini-2.5-pro: {max_budget_usd: 0.000001, budget_duration: 1d}}
                        on_exhaust: {fallback_model: gemini-2.0-flash}
`;
  const up = await startMockGemini({ reply: { text: 'flash here', usage: { input: 4, output: 3 } } });
  const g = await startSpendGateway({ keys, provider: 'gemini', port: up.port });
  t.teardown(async () => (await g.close(), await up.close()));
  const body = JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }], generationConfig: { maxOutputTokens: 20 } });
  const headers = { 'x-goog-api-key': 'gm-virtual', 'content-type': 'application/json' };

  const unary = await fetch(`${g.url()}/v1beta/models/gemini-2.5-pro:generateContent`, { method: 'POST', headers, body });
  t.equal(unary.status, 200);
  t.equal(unary.headers.get('x-dgp-budget-fallback'), 'gemini-2.0-flash', 'the answer names the model that served it');
  t.match(await unary.json(), { candidates: [{ content: { parts: [{ text: 'flash here' }] } }] });
  t.equal(up.requests[0]!.path, '/v1beta/models/gemini-2.0-flash:generateContent', 'the upstream was asked for the fallback model');

  const stream = await fetch(`${g.url()}/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse`, { method: 'POST', headers, body });
  t.equal(stream.status, 200);
  t.equal(stream.headers.get('x-dgp-budget-fallback'), 'gemini-2.0-flash');
  t.match(await stream.text(), /flash here|flash/);
  t.equal(up.requests[1]!.path, '/v1beta/models/gemini-2.0-flash:streamGenerateContent');
  t.equal(up.requests[1]!.query.get('alt'), 'sse', 'the query is kept');

  await waitFor('two access lines', () => accessLines(g).length === 2);
  t.match(accessLines(g), [{ status: 200, budget_fallback: 'gemini-2.0-flash' }, { status: 200, budget_fallback: 'gemini-2.0-flash' }]);
  const metrics = await (await fetch(`${g.adminUrl}/metrics`)).text();
  t.match(metrics, /dgp_llm_budget_denials_total\{scope="key",outcome="fallback"\} 2/);
});

t.test('on_exhaust.fallback_model on an OpenAI request adds x-dgp-budget-fallback', async (t) => {
  const keys = `                    keys:
                      - {key: sk-fb, model_budgets: {gpt-4o: {max_budget_usd: 0.000001}}, on_exhaust: {fallback_model: gpt-4o-mini}}
`;
  const up = await startMockOpenAi({ reply: { text: 'mini' } });
  const g = await startSpendGateway({ keys, provider: 'openai', port: up.port });
  t.teardown(async () => (await g.close(), await up.close()));
  const { response } = await new OpenAI({ apiKey: 'sk-fb', baseURL: `${g.url()}/v1`, maxRetries: 0 })
    .chat.completions.create({ ...chat, model: 'gpt-4o' }).withResponse();
  t.equal(response.headers.get('x-dgp-budget-fallback'), 'gpt-4o-mini');
  const { response: direct } = await new OpenAI({ apiKey: 'sk-fb', baseURL: `${g.url()}/v1`, maxRetries: 0 })
    .chat.completions.create(chat).withResponse();
  t.equal(direct.headers.get('x-dgp-budget-fallback'), null, 'no header when the asked model served');
});
