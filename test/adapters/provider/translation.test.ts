// createTranslation (core/llm/translation.ts) as the proxy uses it: model_map and llm_meta.options, credentials,
// pass-through relabelling, respond() routing, cut streams, bad provider bodies, unsupported operations.
import t from 'tap';
import { DgpError } from '../../../core/index.js';
import { resolveProviderKind, type AttemptTranslation } from '../../../core/llm/index.js';
import { bareExchange, exchange, noContext, readFixture, readJson, recorder, translateStream } from './helpers.js';

const openaiBody = readJson<Record<string, unknown>>('requests/openai.json');
const anthropicBody = readJson<Record<string, unknown>>('requests/anthropic.json');
const sentBody = (ex: AttemptTranslation) => JSON.parse(ex.request.body!.toString('utf8'));

async function* chunks(...parts: string[]): AsyncIterable<Buffer> {
  for (const p of parts) yield Buffer.from(p);
}
async function collect(body: Buffer | AsyncIterable<Buffer>): Promise<string> {
  if (Buffer.isBuffer(body)) return body.toString('utf8');
  let s = '';
  for await (const c of body) s += c.toString('utf8');
  return s;
}

t.test('model_map: exact alias, then *, else unchanged; options.model wins; response_model', async (t) => {
  const map = { 'chat-default': 'claude-sonnet-4-5', '*': 'claude-haiku-4-5' };
  t.equal(sentBody(exchange({ clientApi: 'openai', provider: 'anthropic', body: openaiBody, llmMeta: { model_map: map } })).model, 'claude-sonnet-4-5', 'exact alias');
  t.equal(sentBody(exchange({ clientApi: 'openai', provider: 'anthropic', body: { ...openaiBody, model: 'other' }, llmMeta: { model_map: map } })).model, 'claude-haiku-4-5', '* fallback');
  t.equal(sentBody(exchange({ clientApi: 'openai', provider: 'anthropic', body: openaiBody, llmMeta: { model_map: { x: 'y' } } })).model, 'chat-default', 'no match: unchanged');
  const forced = exchange({ clientApi: 'openai', provider: 'anthropic', body: openaiBody, llmMeta: { model_map: map, options: { model: 'claude-opus-4-1' } } });
  t.same(forced.models, { client: 'chat-default', upstream: 'claude-opus-4-1', reported: 'chat-default' }, 'options.model forces the upstream model');
  const provider = exchange({ clientApi: 'openai', provider: 'anthropic', body: openaiBody, llmMeta: { model_map: map, options: { response_model: 'provider' } } });
  const res = provider.translateBody(200, {}, readFixture('upstream/anthropic/response.json'));
  t.equal(JSON.parse(res.body.toString()).model, 'claude-sonnet-4-5', 'response_model: provider reports the provider model');
  t.equal(sentBody(provider).response_model, undefined, 'response_model is a setting, not a body field');
  const gemini = exchange({ clientApi: 'openai', provider: 'gemini', body: openaiBody, llmMeta: { model_map: { '*': 'gemini-2.5-pro' } } });
  t.equal(gemini.request.path, '/v1beta/models/gemini-2.5-pro:generateContent', 'Gemini takes the mapped model in the path');
});

t.test('llm_meta.options: settings overlay the plugin config, other keys merge into the upstream body', async (t) => {
  const ex = exchange({
    clientApi: 'openai',
    provider: 'anthropic',
    body: { model: 'm', messages: [{ role: 'user', content: 'hi' }] },
    llmMeta: { options: { default_max_tokens: 777, anthropic_version: '2026-10-21', anthropic_beta: 'x-beta', temperature: 0.1, metadata: { user_id: 'u' } } },
  });
  t.same(sentBody(ex), { model: 'm', max_tokens: 777, messages: [{ role: 'user', content: 'hi' }], temperature: 0.1, metadata: { user_id: 'u' } }, 'default_max_tokens used; body overrides merged');
  t.same([ex.request.headers['anthropic-version'], ex.request.headers['anthropic-beta']], ['2026-10-21', 'x-beta']);
  const pass = exchange({ clientApi: 'gemini', provider: 'gemini', body: readJson('requests/gemini.json'), llmMeta: { options: { generationConfig: { temperature: 0 } } } });
  t.same(sentBody(pass).generationConfig, { temperature: 0, topP: 0.9, maxOutputTokens: 512, stopSequences: ['END'] }, 'pass-through bodies get the overrides too, merged deeply');
  const untouched = exchange({ clientApi: 'anthropic', provider: 'anthropic', body: anthropicBody });
  t.equal(untouched.request.body!.toString(), JSON.stringify(anthropicBody), 'no mapping and no options: the raw bytes go upstream');
  const azure = exchange({ clientApi: 'openai', provider: 'azure-openai', body: openaiBody, llmMeta: { options: { api_version: 'v1' } } });
  t.equal(azure.request.path, '/openai/v1/chat/completions', 'azure api_version v1');
  const dep = exchange({ clientApi: 'anthropic', provider: 'azure-openai', body: anthropicBody, llmMeta: { options: { deployment: 'prod-4o', max_tokens_field: 'max_completion_tokens' } } });
  t.equal(dep.request.path, '/openai/deployments/prod-4o/chat/completions?api-version=2024-10-21', 'azure deployment setting');
  t.equal(sentBody(dep).max_completion_tokens, 512, 'max_tokens_field');
});

t.test('credentials: the endpoint key, else the client key moved to the provider header', async (t) => {
  const headers = { authorization: 'Bearer client-key', 'anthropic-version': '2023-06-01' };
  const fwd = exchange({ clientApi: 'openai', provider: 'anthropic', body: openaiBody, headers, llmMeta: { api_key: '' } });
  t.equal(fwd.request.headers['x-api-key'], 'client-key', 'OpenAI Bearer → Anthropic x-api-key');
  t.ok(fwd.request.dropHeaders.includes('authorization'), 'the client header is dropped');
  const gem = exchange({ clientApi: 'gemini', provider: 'gemini', body: readJson('requests/gemini.json'), path: '/v1beta/models/chat-default:generateContent', query: 'key=gm-client&x=1', llmMeta: { api_key: '' } });
  t.same([gem.request.path, gem.request.headers['x-goog-api-key']], ['/v1beta/models/chat-default:generateContent?x=1', 'gm-client'], 'Gemini ?key= moves into the header');
  const own = exchange({ clientApi: 'anthropic', provider: 'openai', body: anthropicBody, headers: { 'x-api-key': 'client-key' } });
  t.equal(own.request.headers.authorization, 'Bearer sk-endpoint', 'the endpoint key wins');
  t.ok(own.request.dropHeaders.includes('anthropic-version'), 'client API headers do not travel to another provider');
});

t.test('pass-through with a mapped model relabels unary bodies and stream events', async (t) => {
  const llmMeta = { model_map: { 'chat-default': 'gpt-4o' } };
  const unary = exchange({ clientApi: 'openai', provider: 'openai', body: openaiBody, llmMeta });
  t.equal(sentBody(unary).model, 'gpt-4o');
  t.equal(unary.request.headers['accept-encoding'], 'identity', 'a body that will be rewritten must come uncompressed');
  const res = unary.translateBody(200, {}, readFixture('upstream/openai/response.json'));
  t.equal(JSON.parse(res.body.toString()).model, 'chat-default');
  t.ok(res.keepUpstreamHeaders);
  const stream = exchange({ clientApi: 'anthropic', provider: 'anthropic', body: anthropicBody, stream: true, llmMeta });
  const out = translateStream(stream, [readFixture('upstream/anthropic/stream.sse')]).toString();
  t.match(out, '"model":"chat-default"', 'message_start reports the alias');
  t.notMatch(out, 'claude-sonnet-4-5-20250929');
  t.match(out, 'event: ping\ndata: {"type": "ping"}\n\n', 'other events keep their exact bytes');
});

t.test('respond(): streams, buffered errors, JSON answers to stream requests', async (t) => {
  const lx = bareExchange('openai');
  const ex = exchange({ clientApi: 'openai', provider: 'anthropic', body: openaiBody, stream: true, lx });
  const sse = readFixture('upstream/anthropic/stream.sse').toString();
  const ok = await ex.respond({ status: 200, headers: { 'content-type': 'text/event-stream' }, body: chunks(sse.slice(0, 100), sse.slice(100)) });
  t.same([ok.status, ok.headers['content-type'], ok.keepUpstreamHeaders], [200, 'text/event-stream', false]);
  t.match(await collect(ok.body), /data: \[DONE\]\n\n$/, 'the translated stream ends with [DONE]');
  t.same(lx.settle(noContext), { input: 220, output: 48, cache_read: 64, cache_write: 16, reasoning: 0, total: 268 }, 'usage seen in the stream, normalised');
  const err = await exchange({ clientApi: 'openai', provider: 'anthropic', body: openaiBody, stream: true }).respond({
    status: 529,
    headers: { 'retry-after': '2' },
    body: chunks('{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}'),
  });
  t.same([err.status, err.headers['retry-after'], JSON.parse(await collect(err.body)).error.type], [503, '2', 'server_error'], 'a streamed error body is collected and translated');
  const json = await exchange({ clientApi: 'anthropic', provider: 'openai', body: anthropicBody, stream: true }).respond({
    status: 200,
    headers: { 'content-type': 'application/json' },
    body: chunks(readFixture('upstream/openai/response.json').toString()),
  });
  t.equal(JSON.parse(await collect(json.body)).type, 'message', 'a provider that ignored stream is translated as unary');
});

t.test('cut and broken streams end with an error event in the client API', async (t) => {
  const sse = readFixture('upstream/anthropic/stream.sse').toString();
  const cut = translateStream(exchange({ clientApi: 'openai', provider: 'anthropic', body: openaiBody, stream: true }), [Buffer.from(sse.slice(0, 900))]).toString();
  t.match(cut, /data: \{"error":\{"message":"The provider stream ended before message_stop\.","type":"server_error"/, 'no message_stop: OpenAI error chunk');
  t.notMatch(cut, '[DONE]');
  const broken = translateStream(exchange({ clientApi: 'anthropic', provider: 'openai', body: anthropicBody, stream: true }), [Buffer.from('data: {not json}\n\ndata: {"id":"x","choices":[]}\n\n')]).toString();
  t.match(broken, /^event: error\ndata: \{"type":"error","error":\{"type":"api_error","message":"The openai response could not be translated/, 'malformed event: Anthropic error event');
  t.equal(broken.match(/event: /g)?.length, 1, 'nothing is sent after the error');
  const { translator } = exchange({ clientApi: 'gemini', provider: 'anthropic', body: readJson('requests/gemini.json'), stream: true }).openStream(200, {});
  t.equal(translator.error({ status: 504, kind: 'timeout', message: 'idle timeout' }).toString(), 'data: {"error":{"code":504,"message":"idle timeout","status":"DEADLINE_EXCEEDED"}}\r\n\r\n', 'translator.error() for the proxy');
  const upstreamError = translateStream(exchange({ clientApi: 'openai', provider: 'anthropic', body: openaiBody, stream: true }), [
    Buffer.from('event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n'),
  ]).toString();
  t.equal(upstreamError, 'data: {"error":{"message":"Overloaded","type":"server_error","param":null,"code":"overloaded_error"}}\n\n', 'an Anthropic error event becomes an OpenAI error chunk');
});

t.test('bad provider bodies and unsupported operations', async (t) => {
  const bad = exchange({ clientApi: 'anthropic', provider: 'gemini', body: anthropicBody }).translateBody(200, {}, Buffer.from('<html>'));
  t.same([bad.status, JSON.parse(bad.body.toString()).error.type], [502, 'api_error'], 'non-JSON 200 → 502 in the client shape');
  t.throws(() => exchange({ clientApi: 'openai', provider: 'anthropic', body: { model: 'e', input: 'x' }, path: '/v1/embeddings' }), { code: 'DGP_ERR_PROVIDER_UNSUPPORTED', status: 400 });
  t.throws(() => exchange({ clientApi: 'openai', provider: 'gemini', body: { model: 'x', messages: 'nope' } }), { code: 'DGP_ERR_PROVIDER_BAD_REQUEST', status: 400 });
  const models = exchange({ clientApi: 'openai', provider: 'openai', body: undefined, method: 'GET', path: '/v1/models' });
  t.same([models.request.method, models.request.path, models.request.body], ['GET', '/v1/models', undefined], 'GET /v1/models passes through bodiless');
  const log = recorder();
  exchange({ clientApi: 'openai', provider: 'anthropic', body: { ...openaiBody, seed: 1, logprobs: true }, log });
  t.same(log.records.map((r) => (r.obj as { field: string }).field), ['seed', 'logprobs'], 'dropped fields are debug-logged by name');
  t.ok(new DgpError('DGP_ERR_PROVIDER_CODEC', 'x').status === 500, 'codes are registered');
});

t.test('resolveProviderKind: own plugin, OpenAI-compatible labels, unknown labels', async (t) => {
  const loaded = (k: string) => ['dgp.adapter.provider.openai', 'dgp.adapter.provider.anthropic'].includes(k);
  t.same(resolveProviderKind('Anthropic', loaded), { kind: 'dgp.adapter.provider.anthropic', known: true });
  t.same(resolveProviderKind('deepseek', loaded), { kind: 'dgp.adapter.provider.openai', known: true }, "Pixiu's deepseek label");
  t.same(resolveProviderKind(undefined, loaded), { kind: 'dgp.adapter.provider.openai', known: true }, 'default openai');
  t.same(resolveProviderKind('antropic', loaded), { kind: 'dgp.adapter.provider.openai', known: false }, 'a typo is served as openai but flagged');
});
