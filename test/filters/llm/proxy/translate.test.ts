// The proxy with provider codecs (issue 6), on a fake request context against the strict mock providers: usage of a
// translated answer without the tokenizer, client-side translation errors (400 at once, no cooldown), a translated
// stream cut mid-way, unknown provider labels, and the pure pass-through kept for plain OpenAI endpoints.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import t from 'tap';
import { LlmTokenUsage, UpstreamAttempts, isDgpError } from '../../../../core/index.js';
import { MANIFESTS } from '../../../adapters/provider/helpers.js';
import { startMockAnthropic, startMockOpenAi } from '../../../helpers/mock-providers/index.js';
import { drainBody } from '../../../helpers/request-context.js';
import { proxyHarness } from './helpers/setup.js';

const plugins = Object.values(MANIFESTS);
const reply = { text: 'Hello there', usage: { input: 200, output: 40, cached: 64 } };
const chat = (extra: object = {}) => ({ model: 'm', messages: [{ role: 'user', content: 'hi' }], ...extra });

t.test('a translated answer sets LlmTokenUsage without the tokenizer, unary and streamed', async (t) => {
  const mock = await startMockAnthropic({ reply });
  const h = await proxyHarness([{ id: 'claude', to: mock.port, llm: { provider: 'anthropic', api_key: 'sk-ant-test', scheme: 'http' } }], {}, { plugins });
  t.teardown(async () => (await h.close(), await mock.close()));
  const want = { model: 'm', prompt: 264, completion: 40, total: 304, cached: 64, reasoning: 0, source: 'upstream' };

  const unary = await h.run({ body: chat() });
  t.equal(unary.response.status, 200);
  t.equal(JSON.parse(String(unary.response.body)).object, 'chat.completion');
  h.filter.onComplete(unary);
  t.same(unary.get(LlmTokenUsage), want, 'unary');

  const streamed = await h.run({ body: chat({ stream: true }) });
  const drained = await drainBody(streamed);
  t.match(drained.text, /"object":"chat.completion.chunk"/);
  h.filter.onComplete(streamed);
  t.same(streamed.get(LlmTokenUsage), want, 'stream (the client did not ask for a usage chunk)');
  t.same(mock.rejections, []);
});

t.test('a request the provider cannot express is a 400 at once; the endpoint is not left or cooled down', async (t) => {
  const claude = await startMockAnthropic({ reply });
  const backup = await startMockOpenAi({ reply });
  const h = await proxyHarness(
    [
      { id: 'claude', to: claude.port, llm: { provider: 'anthropic', api_key: 'sk-ant-test', scheme: 'http', fallback: true } },
      { id: 'gpt', to: backup.port, llm: { provider: 'openai', api_key: 'sk-test', scheme: 'http' } },
    ],
    {},
    { plugins },
  );
  t.teardown(async () => (await h.close(), await claude.close(), await backup.close()));

  const ctx = await h.run({ body: chat({ n: 2 }) });
  t.equal(ctx.response.status, 400);
  t.equal(ctx.errors[0]?.code, 'DGP_ERR_PROVIDER_UNTRANSLATABLE');
  t.equal(claude.requests.length + backup.requests.length, 0, 'nothing was sent anywhere');
  t.same(ctx.get(UpstreamAttempts), []);
  const ep = h.clusters.getEndpoint(h.cluster, 'claude')!;
  t.notOk(h.clusters.cooldowns.inCooldown(h.cluster, ep), 'the endpoint did nothing wrong');

  // RoundRobin: the first pick of a fresh cluster is `claude`; from here on go to it directly.
  const embeddings = await h.run({ url: '/v1/embeddings', body: { model: 'e', input: 'x' } }, 'claude');
  t.equal(embeddings.response.status, 400);
  t.equal(embeddings.errors[0]?.code, 'DGP_ERR_PROVIDER_UNSUPPORTED');
});

t.test('a translated stream cut mid-way ends with an error event in the client format, never a clean end', async (t) => {
  const ev = (type: string, data: object) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
  const server = createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(ev('message_start', { message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'x', content: [], stop_reason: null, usage: { input_tokens: 5, output_tokens: 1 } } }));
    res.write(ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }));
    res.write(ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'Hel' } }));
    setTimeout(() => res.socket?.destroy(), 20);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const h = await proxyHarness([{ id: 'claude', to: port, llm: { provider: 'anthropic', api_key: 'sk-ant-test', scheme: 'http' } }], {}, { plugins });
  t.teardown(async () => (await h.close(), await new Promise<void>((r) => server.close(() => r()))));

  const ctx = await h.run({ body: chat({ stream: true }) });
  t.equal(ctx.response.status, 200);
  const drained = await drainBody(ctx);
  t.match(drained.text, /"content":"Hel"/, 'the text before the cut arrived, OpenAI-shaped');
  const frames = drained.text.trim().split('\n\n');
  const last = JSON.parse(frames.at(-1)!.replace(/^data: /, ''));
  t.match(last, { error: { type: 'server_error', code: 'DGP_ERR_UPSTREAM_STREAM_CUT' } }, 'the last frame is an OpenAI error object');
  t.notMatch(drained.text, /event: error/, 'no frame in another API shape');
  t.ok(isDgpError(drained.error) && drained.error.code === 'DGP_ERR_UPSTREAM_STREAM_CUT', 'then the body throws: the host cuts the connection');
  h.filter.onComplete(ctx);
  t.match(ctx.get(UpstreamAttempts), [{ success: false, error_type: 'stream_cut' }]);
});

t.test('unknown provider labels warn once and are served as OpenAI; plain OpenAI endpoints stay pure pass-through', async (t) => {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({ write: (c: Buffer, _e, cb) => (lines.push(JSON.parse(c.toString('utf8'))), cb()) });
  const mock = await startMockOpenAi({ reply });
  const h = await proxyHarness(
    [
      { id: 'odd', to: mock.port, llm: { provider: 'my-llm', api_key: 'sk-test', scheme: 'http' } },
      { id: 'odd2', to: mock.port, llm: { provider: 'my-llm', api_key: 'sk-test', scheme: 'http' } },
    ],
    {},
    { plugins, log: pino({ level: 'warn' }, sink) },
  );
  t.teardown(async () => (await h.close(), await mock.close()));
  const warnings = lines.filter((l) => String(l.msg).includes('"my-llm"'));
  t.equal(warnings.length, 1, 'one warning per unknown label, at create');
  t.match(warnings[0], { provider: 'my-llm', kind: 'dgp.adapter.provider.openai' });

  const raw = JSON.stringify(chat());
  const ctx = await h.run({ body: raw, headers: { 'content-type': 'application/json', 'x-custom': '1' } });
  t.equal(ctx.response.status, 200);
  const sent = mock.requests[0]!;
  t.equal(sent.raw.toString('utf8'), raw, 'the body bytes went untouched');
  t.equal(sent.headers.authorization, 'Bearer sk-test');
  t.equal(sent.headers['x-custom'], '1');
});
