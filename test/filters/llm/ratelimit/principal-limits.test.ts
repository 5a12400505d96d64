// Limits the principal carries beyond the key's rpm / tpm: per-model rates on a key (`model_limits`, one counter per
// pattern), and a team's or user's own rpm / tpm shared by all its keys — from static config and from the key store
// (admin API, LiteLLM's model_rpm_limit) and JWT budget tiers — answered with the usual 429 bodies and headers each
// SDK reads.
import Anthropic from '@anthropic-ai/sdk';
import { SignJWT } from 'jose';
import OpenAI from 'openai';
import t from 'tap';
import { startMockAnthropic, startMockOpenAi } from '../../../helpers/mock-providers/index.js';
import { startGateway } from '../../../helpers/gateway.js';
import { rlGatewayYaml } from './helpers.js';

const reply = { text: 'hello', usage: { input: 5, output: 2 } };
const MASTER = 'sk-master-rl-0123456789';
const msg = (model: string) => ({ model, messages: [{ role: 'user' as const, content: 'hi' }] });
const errorOf = (e: unknown) => (e as InstanceType<typeof OpenAI.APIError>);

t.test("a key's model_limits: one counter per pattern for every model it matches; other models untouched", async (t) => {
  const keys = `                    keys:
                      - key: sk-m
                        alias: m
                        model_limits: {"gpt-4o*": {rpm: 2}, "o3-mini": {tpm: 40}}`;
  const up = await startMockOpenAi({ reply });
  const g = await startGateway(rlGatewayYaml({ provider: 'openai', port: up.port, keys, ratelimit: '                    rules: []' }));
  t.teardown(async () => (await g.close(), await up.close()));
  const client = new OpenAI({ apiKey: 'sk-m', baseURL: `${g.url()}/v1`, maxRetries: 0 });
  const first = await client.chat.completions.create(msg('gpt-4o-mini')).withResponse();
  t.equal(first.response.headers.get('x-ratelimit-limit-requests'), '2');
  t.equal(first.response.headers.get('x-ratelimit-remaining-requests'), '1');
  await client.chat.completions.create(msg('gpt-4o'));
  const third = await client.chat.completions.create(msg('gpt-4o-2024-08-06')).catch((e: unknown) => e);
  t.ok(third instanceof OpenAI.RateLimitError, 'the pattern counts gpt-4o-mini, gpt-4o and gpt-4o-2024-08-06 together');
  t.match(errorOf(third).error, { type: 'requests', code: 'rate_limit_exceeded', message: /rule key-model\[gpt-4o\*\] \(scope key\): limit 2 per minute/ });
  t.ok(Number(errorOf(third).headers?.get('retry-after-ms')) > 0, 'retry-after-ms from the limiter');
  for (let i = 0; i < 3; i++) t.ok(await client.chat.completions.create(msg('gpt-3.5-turbo')), `gpt-3.5-turbo ${i}: no limit for it`);

  const o3 = await client.chat.completions.create({ ...msg('o3-mini'), max_tokens: 100 }).catch((e: unknown) => e);
  t.ok(o3 instanceof OpenAI.RateLimitError, "a request whose reservation exceeds the pattern's tpm");
  t.match(errorOf(o3).error, { type: 'tokens', code: 'rate_limit_exceeded' });
  t.equal(up.requests.length, 5);
});

t.test("a static team's and user's rpm are shared by all their keys", async (t) => {
  const keys = `                    teams:
                      - {id: red, rpm: 3}
                    users:
                      - {id: ann, rpm: 1}
                    keys:
                      - {key: sk-r1, team: red}
                      - {key: sk-r2, team: red}
                      - {key: sk-ann, team: blue, user: ann}`;
  const up = await startMockOpenAi({ reply });
  const g = await startGateway(rlGatewayYaml({ provider: 'openai', port: up.port, keys, ratelimit: '                    rules: []' }));
  t.teardown(async () => (await g.close(), await up.close()));
  const as = (key: string) => new OpenAI({ apiKey: key, baseURL: `${g.url()}/v1`, maxRetries: 0 }).chat.completions.create(msg('gpt-4o-mini')).then(() => 200, (e: unknown) => e);
  t.same([await as('sk-r1'), await as('sk-r2'), await as('sk-r1')], [200, 200, 200]);
  const fourth = await as('sk-r2');
  t.ok(fourth instanceof OpenAI.RateLimitError, 'the team red had its 3 requests, across both keys');
  t.match(errorOf(fourth).error, { message: /rule team-limits \(scope team\): limit 3 per minute/ });
  t.equal(await as('sk-ann'), 200);
  const again = await as('sk-ann');
  t.ok(again instanceof OpenAI.RateLimitError, "the user's rpm 1");
  t.match(errorOf(again).error, { message: /rule user-limits \(scope user\)/ });
});

t.test('from the key store: a team rpm set through the admin API, LiteLLM model_rpm_limit on a key; Anthropic headers', async (t) => {
  const keys = `                    store: keystore
                    master_key: ${MASTER}`;
  const adapters = '    - {id: keystore, name: dgp.adapter.store.sqlite, config: {path: data/keys.db}}';
  const up = await startMockAnthropic({ reply });
  const g = await startGateway(rlGatewayYaml({ provider: 'anthropic', port: up.port, keys, adapters, ratelimit: '                    rules: []' }));
  t.teardown(async () => (await g.close(), await up.close()));
  const admin = (method: string, path: string, body: object) =>
    fetch(`${g.adminUrl}${path}`, { method, headers: { authorization: `Bearer ${MASTER}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  t.equal((await admin('POST', '/admin/v1/teams', { id: 'green', rpm: 3 })).status, 201);
  const gen = await admin('POST', '/key/generate', { team_id: 'green', model_rpm_limit: { 'claude-3-5-haiku*': 1 } });
  t.equal(gen.status, 200);
  const { key, token } = (await gen.json()) as { key: string; token: string };
  const info = (await (await fetch(`${g.adminUrl}/admin/v1/keys/${token}`, { headers: { authorization: `Bearer ${MASTER}` } })).json()) as Record<string, unknown>;
  t.match(info, { model_limits: { 'claude-3-5-haiku*': { rpm: 1, tpm: null } } }, 'stored as model_limits');
  const updated = await admin('POST', '/key/update', { key, model_tpm_limit: { 'claude-sonnet*': 100_000 } });
  t.match(await updated.json(), { model_rpm_limit: { 'claude-3-5-haiku*': 1 }, model_tpm_limit: { 'claude-sonnet*': 100_000 } }, 'updating the tpm map keeps the rpm one');
  const client = new Anthropic({ apiKey: key, baseURL: g.url(), maxRetries: 0 });
  const ask = (model: string) => client.messages.create({ model, max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }).withResponse().then((r) => r.response, (e: unknown) => e);

  const first = await ask('claude-3-5-haiku-20241022');
  t.equal((first as Response).headers.get('anthropic-ratelimit-requests-limit'), '1', 'the binding rule: the per-model limit of 1');
  const second = await ask('claude-3-5-haiku-latest');
  t.ok(second instanceof Anthropic.RateLimitError, 'the per-model limit in the Anthropic shape');
  t.match((second as InstanceType<typeof Anthropic.APIError>).error, { type: 'error', error: { type: 'rate_limit_error', message: /key-model\[claude-3-5-haiku\*\]/ } });
  t.ok(Number((second as InstanceType<typeof Anthropic.APIError>).headers?.get('retry-after')) >= 1);
  t.ok(await ask('claude-sonnet-4-20250514') instanceof Response);
  t.ok(await ask('claude-sonnet-4-20250514') instanceof Response);
  const team = await ask('claude-sonnet-4-20250514');
  t.ok(team instanceof Anthropic.RateLimitError, "the team's rpm 3 from the store (1 haiku + 2 sonnet admitted)");
  t.match((team as InstanceType<typeof Anthropic.APIError>).error, { error: { message: /team-limits/ } });
  t.equal(up.requests.length, 3);
});

t.test("a JWT's budget tier carries its rates: each token subject gets the tier's rpm and model_limits", async (t) => {
  const secret = 'rl-jwt-secret-'.padEnd(40, 'x');
  const keys = `                    jwt: {hs256_secret: ${secret}, claims: {budget_tier: plan}}
                    budget_tiers:
                      free: {rpm: 2, model_limits: {"gpt-4o": {rpm: 1}}}`;
  const up = await startMockOpenAi({ reply });
  const g = await startGateway(rlGatewayYaml({ provider: 'openai', port: up.port, keys, ratelimit: '                    rules: []' }));
  t.teardown(async () => (await g.close(), await up.close()));
  const as = async (sub: string) => {
    const token = await new SignJWT({ sub, plan: 'free' }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('5m').sign(new TextEncoder().encode(secret));
    return new OpenAI({ apiKey: token, baseURL: `${g.url()}/v1`, maxRetries: 0 });
  };
  const ann = await as('ann');
  t.ok(await ann.chat.completions.create(msg('gpt-4o')));
  const again = await ann.chat.completions.create(msg('gpt-4o')).catch((e: unknown) => e);
  t.ok(again instanceof OpenAI.RateLimitError, "the tier's per-model limit");
  t.match(errorOf(again).error, { message: /key-model\[gpt-4o\]/ });
  t.ok(await ann.chat.completions.create(msg('gpt-4o-mini')));
  const third = await ann.chat.completions.create(msg('gpt-4o-mini')).catch((e: unknown) => e);
  t.ok(third instanceof OpenAI.RateLimitError, "the tier's rpm 2 for this subject");
  t.match(errorOf(third).error, { message: /key-limits/ });
  t.ok(await (await as('bob')).chat.completions.create(msg('gpt-4o')), 'another subject of the tier has its own counters');
});
