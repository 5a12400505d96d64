// dgp.adapter.provider.vertex-ai end to end: the official OpenAI and Anthropic clients through a real gateway to a mock
// Vertex AI whose mock token endpoint verifies the service account's signed JWT exactly as Google's does. Tokens are
// fetched once, shared by concurrent requests, refreshed after expiry; a refused token is a clear error in the
// client's shape that never carries the key.
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import t from 'tap';
import { startGateway, type TestGateway } from '../../../helpers/gateway.js';
import { makeServiceAccount, startMockTokenServer, startMockVertex, type MockTokenServer, type MockVertex, type ServiceAccountKey } from '../../../helpers/mock-providers/vertex.js';
import { anthropicClient, gatewayYaml, openAiClient } from '../../../e2e/providers/helpers.js';

const PROJECT = 'p1';
const LOCATION = 'us-east5';
const BASE = `/v1/projects/${PROJECT}/locations/${LOCATION}/publishers`;

interface Setup {
  tokens: MockTokenServer;
  vertex: MockVertex;
  sa: ServiceAccountKey;
  gw: TestGateway;
  openai: OpenAI;
  anthropic: Anthropic;
}

async function setup(t: { teardown(fn: () => unknown): void }, opts: { options?: Record<string, unknown>; files?: Record<string, string>; env?: NodeJS.ProcessEnv; inline?: boolean } = {}): Promise<Setup> {
  const tokens = await startMockTokenServer();
  t.teardown(() => tokens.close());
  const sa = makeServiceAccount(tokens.uri);
  tokens.setPublicKey(sa.publicKey);
  const vertex = await startMockVertex({ project: PROJECT, location: LOCATION, tokens });
  t.teardown(() => vertex.close());
  const options = { project_id: PROJECT, location: LOCATION, ...(opts.inline === false ? {} : { service_account_json: JSON.stringify(sa.json) }), ...opts.options };
  const gw = await startGateway(gatewayYaml([{ name: 'vx', cluster: 'vx', endpoints: [{ id: 'vx', provider: 'vertex-ai', port: vertex.port, apiKey: '', extra: { options } }] }]), {
    files: opts.files ?? {},
    env: opts.env ?? {},
  });
  t.teardown(() => gw.close());
  return { tokens, vertex, sa, gw, openai: openAiClient(gw.url()), anthropic: anthropicClient(gw.url()) };
}

const ask = [{ role: 'user' as const, content: 'Say hello' }];

t.test('OpenAI client → Gemini on Vertex: exact paths, a verified token, reused across requests', async (t) => {
  const s = await setup(t);
  const res = await s.openai.chat.completions.create({ model: 'gemini-2.0-flash', messages: ask });
  t.equal(res.choices[0]!.message.content, 'Hello there');
  t.has(res.usage, { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 });
  const stream = await s.openai.chat.completions.create({ model: 'gemini-2.0-flash', messages: ask, stream: true });
  let text = '';
  for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
  t.equal(text, 'Hello there');
  t.same(s.vertex.calls.map((c) => c.path), [`${BASE}/google/models/gemini-2.0-flash:generateContent`, `${BASE}/google/models/gemini-2.0-flash:streamGenerateContent?alt=sse`]);
  t.same(s.vertex.calls.map((c) => c.headers.authorization), ['Bearer ya29.token-1', 'Bearer ya29.token-1']);
  t.equal(s.vertex.calls[0]!.headers['x-goog-api-key'], undefined, 'no API key header: Vertex authorises by token');
  t.equal(s.tokens.calls.length, 1, 'one token for both requests');
  const call = s.tokens.calls[0]!;
  t.ok(call.ok, call.refused ?? 'the assertion verified');
  t.same(call.header, { alg: 'RS256', typ: 'JWT', kid: 'kid-1' });
  t.has(call.claims, { iss: 'gateway@sa-project.iam.gserviceaccount.com', scope: 'https://www.googleapis.com/auth/cloud-platform', aud: s.tokens.uri });
});

t.test('Gemini client → Gemini on Vertex: its own method and alt=sse kept, its key dropped, countTokens forwarded', async (t) => {
  const s = await setup(t);
  const body = JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'Say hello' }] }] });
  const post = (path: string) => fetch(`${s.gw.url()}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-goog-api-key': 'client-key' }, body });
  const unary = (await (await post('/v1beta/models/gemini-2.0-flash:generateContent')).json()) as { candidates: Array<{ content: { parts: Array<{ text: string }> } }> };
  t.equal(unary.candidates[0]!.content.parts[0]!.text, 'Hello there');
  const stream = await (await post('/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse&key=client-key')).text();
  t.match(stream, /^data: \{"candidates"/);
  const count = (await (await post('/v1beta/models/gemini-2.0-flash:countTokens')).json()) as { totalTokens: number };
  t.equal(count.totalTokens, 3);
  t.same(s.vertex.calls.map((c) => c.path), [
    `${BASE}/google/models/gemini-2.0-flash:generateContent`,
    `${BASE}/google/models/gemini-2.0-flash:streamGenerateContent?alt=sse`,
    `${BASE}/google/models/gemini-2.0-flash:countTokens`,
  ]);
  for (const c of s.vertex.calls) {
    t.equal(c.headers.authorization, 'Bearer ya29.token-1');
    t.equal(c.headers['x-goog-api-key'], undefined);
  }
  const config = await (await fetch(`${s.gw.adminUrl}/config`)).text();
  t.notOk(config.includes('PRIVATE KEY'), 'the service account is redacted in /config');
  t.match(config, /"service_account_json": ?"\[redacted\]"/);
});

t.test('Anthropic client → Claude on Vertex: rawPredict / streamRawPredict, anthropic_version in the body, no model', async (t) => {
  const s = await setup(t);
  const msg = await s.anthropic.messages.create({ model: 'claude-sonnet-4-5@20250929', max_tokens: 64, messages: ask });
  t.equal(msg.content[0]!.type === 'text' ? msg.content[0].text : '', 'Hello there');
  t.equal(msg.model, 'claude-sonnet-4-5@20250929');
  const stream = s.anthropic.messages.stream({ model: 'claude-sonnet-4-5@20250929', max_tokens: 64, messages: ask });
  const final = await stream.finalMessage();
  t.equal(final.content[0]!.type === 'text' ? final.content[0].text : '', 'Hello there');
  t.equal(final.usage.output_tokens, 2);
  t.same(s.vertex.calls.map((c) => c.path), [`${BASE}/anthropic/models/claude-sonnet-4-5@20250929:rawPredict`, `${BASE}/anthropic/models/claude-sonnet-4-5@20250929:streamRawPredict`]);
  for (const c of s.vertex.calls) {
    t.equal(c.body.model, undefined);
    t.equal(c.body.anthropic_version, 'vertex-2023-10-16');
    t.equal(c.headers.authorization, 'Bearer ya29.token-1');
    t.equal(c.headers['x-api-key'], undefined, "the client's key never travels");
  }
  t.equal(s.tokens.calls.length, 1);
});

t.test('OpenAI client → Claude on Vertex (translated), unary and stream', async (t) => {
  const s = await setup(t);
  const res = await s.openai.chat.completions.create({ model: 'claude-sonnet-4-5@20250929', messages: ask, max_tokens: 50 });
  t.equal(res.choices[0]!.message.content, 'Hello there');
  t.equal(res.choices[0]!.finish_reason, 'stop');
  const stream = await s.openai.chat.completions.create({ model: 'claude-sonnet-4-5@20250929', messages: ask, stream: true });
  let text = '';
  for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
  t.equal(text, 'Hello there');
  t.same(s.vertex.calls.map((c) => [c.path, c.body.model, c.body.anthropic_version, c.body.max_tokens]), [
    [`${BASE}/anthropic/models/claude-sonnet-4-5@20250929:rawPredict`, undefined, 'vertex-2023-10-16', 50],
    [`${BASE}/anthropic/models/claude-sonnet-4-5@20250929:streamRawPredict`, undefined, 'vertex-2023-10-16', 4096],
  ]);
});

t.test('concurrent requests on a cold cache share one token request', async (t) => {
  const s = await setup(t);
  s.tokens.delayMs = 150;
  const all = await Promise.all(Array.from({ length: 6 }, () => s.openai.chat.completions.create({ model: 'gemini-2.0-flash', messages: ask })));
  t.equal(all.length, 6);
  t.equal(s.tokens.calls.length, 1);
  t.same(new Set(s.vertex.calls.map((c) => c.headers.authorization)), new Set(['Bearer ya29.token-1']));
});

t.test('a token is refreshed before it expires', async (t) => {
  const s = await setup(t);
  s.tokens.expiresIn = 2; // refreshed after half its life at most: 1 s
  await s.openai.chat.completions.create({ model: 'gemini-2.0-flash', messages: ask });
  await s.openai.chat.completions.create({ model: 'gemini-2.0-flash', messages: ask });
  t.equal(s.tokens.calls.length, 1, 'still fresh: reused');
  await new Promise((r) => setTimeout(r, 1100));
  await s.openai.chat.completions.create({ model: 'gemini-2.0-flash', messages: ask });
  t.equal(s.tokens.calls.length, 2, 'due for refresh: a new token');
  t.same(s.vertex.calls.map((c) => c.headers.authorization), ['Bearer ya29.token-1', 'Bearer ya29.token-1', 'Bearer ya29.token-2']);
});

t.test('a refused token: 502 in each client API shape, the key never shown, Vertex never called', async (t) => {
  const s = await setup(t);
  s.tokens.fail = { status: 400, body: { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' } };
  const err = await s.openai.chat.completions.create({ model: 'gemini-2.0-flash', messages: ask }).catch((e: unknown) => e);
  t.type(err, OpenAI.APIError);
  const e = err as InstanceType<typeof OpenAI.APIError>;
  t.equal(e.status, 502);
  t.match(e.message, /token endpoint refused service account gateway@sa-project\.iam\.gserviceaccount\.com \(invalid_grant: Invalid JWT Signature\.\)/);
  const aerr = await s.anthropic.messages.create({ model: 'claude-sonnet-4-5@20250929', max_tokens: 10, messages: ask }).catch((x: unknown) => x);
  t.type(aerr, Anthropic.InternalServerError);
  t.equal((aerr as InstanceType<typeof Anthropic.APIError>).status, 502);
  const keyLine = s.sa.json.private_key!.split('\n')[1]!;
  const logs = JSON.stringify(s.gw.logs);
  t.notOk(e.message.includes(keyLine) || String((aerr as Error).message).includes(keyLine) || logs.includes(keyLine), 'no key material in answers or logs');
  t.equal(s.vertex.calls.length, 0);
});

t.test('an unreachable token endpoint is a 502 naming it', async (t) => {
  const s = await setup(t);
  await s.tokens.close();
  const err = await s.openai.chat.completions.create({ model: 'gemini-2.0-flash', messages: ask }).catch((e: unknown) => e);
  t.equal((err as InstanceType<typeof OpenAI.APIError>).status, 502);
  t.match((err as Error).message, /token endpoint http:\/\/127\.0\.0\.1:\d+\/token could not be reached/);
});

t.test('service account from a file, and from GOOGLE_APPLICATION_CREDENTIALS; none is a clear 500', async (t) => {
  t.test('service_account_file, relative to the config folder', async (t) => {
    const tokens = await startMockTokenServer();
    t.teardown(() => tokens.close());
    const sa = makeServiceAccount(tokens.uri, PROJECT);
    tokens.setPublicKey(sa.publicKey);
    const vertex = await startMockVertex({ project: PROJECT, location: LOCATION, tokens });
    t.teardown(() => vertex.close());
    // No project_id: the key file's own project.
    const gw = await startGateway(gatewayYaml([{ name: 'vx', cluster: 'vx', endpoints: [{ id: 'vx', provider: 'vertex-ai', port: vertex.port, apiKey: '', extra: { options: { location: LOCATION, service_account_file: 'keys/sa.json' } } }] }]), { files: { 'keys/sa.json': JSON.stringify(sa.json) } });
    t.teardown(() => gw.close());
    const res = await openAiClient(gw.url()).chat.completions.create({ model: 'gemini-2.0-flash', messages: ask });
    t.equal(res.choices[0]!.message.content, 'Hello there');
    t.equal(vertex.calls[0]!.path, `${BASE}/google/models/gemini-2.0-flash:generateContent`);
  });
  t.test('GOOGLE_APPLICATION_CREDENTIALS', async (t) => {
    const tokens = await startMockTokenServer();
    t.teardown(() => tokens.close());
    const sa = makeServiceAccount(tokens.uri);
    tokens.setPublicKey(sa.publicKey);
    const vertex = await startMockVertex({ project: PROJECT, location: LOCATION, tokens });
    t.teardown(() => vertex.close());
    const gw = await startGateway(gatewayYaml([{ name: 'vx', cluster: 'vx', endpoints: [{ id: 'vx', provider: 'vertex-ai', port: vertex.port, apiKey: '', extra: { options: { project_id: PROJECT, location: LOCATION } } }] }]), { files: { 'sa.json': JSON.stringify(sa.json) } });
    t.teardown(() => gw.close());
    const before = process.env.GOOGLE_APPLICATION_CREDENTIALS;
    process.env.GOOGLE_APPLICATION_CREDENTIALS = `${gw.dir}/sa.json`;
    t.teardown(() => (before === undefined ? delete process.env.GOOGLE_APPLICATION_CREDENTIALS : (process.env.GOOGLE_APPLICATION_CREDENTIALS = before)));
    const msg = await anthropicClient(gw.url()).messages.create({ model: 'claude-sonnet-4-5@20250929', max_tokens: 64, messages: ask });
    t.equal(msg.content[0]!.type === 'text' ? msg.content[0].text : '', 'Hello there');
    t.equal(tokens.calls.length, 1);
  });
  t.test('no service account at all', async (t) => {
    const before = process.env.GOOGLE_APPLICATION_CREDENTIALS;
    delete process.env.GOOGLE_APPLICATION_CREDENTIALS;
    t.teardown(() => { if (before !== undefined) process.env.GOOGLE_APPLICATION_CREDENTIALS = before; });
    const s = await setup(t, { inline: false });
    const err = await s.openai.chat.completions.create({ model: 'gemini-2.0-flash', messages: ask }).catch((e: unknown) => e);
    t.equal((err as InstanceType<typeof OpenAI.APIError>).status, 500);
    t.match((err as Error).message, /the vertex-ai endpoint has no service account/);
    t.equal(s.vertex.calls.length, 0);
  });
});
