// Reliability property 19: a 200 event stream whose first event is an error (Anthropic "overloaded", OpenAI
// `{"error":…}`, `event: error`) is a retryable `stream_error` before any byte reaches the client: it falls back, or
// ends in a clear error, and is never forwarded as a success. Also the first-event parser of first-event.ts.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Anthropic from '@anthropic-ai/sdk';
import t from 'tap';
import { UpstreamAttempts } from '../../../../core/index.js';
import { FIRST_EVENT_LIMIT, FirstEventReader, errorOfEvent, inspectFirstEvent } from '../../../../filters/llm/proxy/first-event.js';
import { parseRetryOn } from '../../../../filters/llm/proxy/retry-on.js';
import { DEFAULT_RETRY_ON } from '../../../../filters/llm/proxy/schema.js';
import { drainBody } from '../../../helpers/request-context.js';
import { proxyConf, startGateway } from '../../../helpers/gateway.js';
import { proxyHarness } from './helpers/setup.js';

const OVERLOADED = '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}';
const ANTHROPIC_ERROR = `event: error\ndata: ${OVERLOADED}\n\n`;
const GOOD = ['data: {"choices":[{"index":0,"delta":{"content":"ok"}}]}\n\n', 'data: [DONE]\n\n'];

/** A write of the script, or a pause (ms), or a gate the test opens. */
type Step = string | number | Promise<void>;

interface Scripted {
  port: number;
  requests: number;
  close(): Promise<void>;
}

/** A loopback upstream answering every request with 200 text/event-stream and the steps, each write flushed alone. */
async function sseUpstream(steps: readonly Step[]): Promise<Scripted> {
  const state = { requests: 0 };
  const server: Server = createServer((req, res) => {
    state.requests++;
    req.resume();
    req.on('end', async () => {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.flushHeaders();
      for (const step of steps) {
        if (res.destroyed) return;
        if (typeof step === 'number') await new Promise((r) => setTimeout(r, step).unref()); // never holds the process open
        else if (typeof step === 'string') res.write(step);
        else await step;
      }
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    get requests() {
      return state.requests;
    },
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}

const noCooldown = { fallback: true, health_check_interval: 0 };

const variants: Record<string, Step[]> = {
  'Anthropic overloaded (event: error)': [ANTHROPIC_ERROR],
  'Anthropic overloaded as plain data': [`data: ${OVERLOADED}\n\n`],
  'a bare `event: error` with text data': ['event: error\ndata: upstream exploded\n\n'],
  'an OpenAI {"error":{…}} data event': ['data: {"error":{"message":"The server had an error","type":"server_error","param":null,"code":null}}\n\n'],
  'the first event split across two writes 20 ms apart': ['data: {"type":"er', 20, 'ror","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n'],
};

for (const [name, steps] of Object.entries(variants)) {
  t.test(`${name}: falls back, the client gets exactly endpoint #2's bytes`, async (t) => {
    const [a, b] = await Promise.all([sseUpstream([...steps, 'data: {"never":"sent"}\n\n']), sseUpstream(GOOD)]);
    const h = await proxyHarness([{ id: 'a', to: a.port, llm: noCooldown }, { id: 'b', to: b.port }]);
    t.teardown(async () => (await h.close(), await Promise.all([a.close(), b.close()])));
    const ctx = await h.run({}, 'a');
    t.equal(ctx.response.status, 200);
    t.equal(ctx.response.headers['x-dgp-attempts'], 'a=stream_error;b=200');
    const d = await drainBody(ctx);
    t.equal(d.error, undefined);
    t.equal(d.text, GOOD.join(''), 'byte-identical, nothing of endpoint #1');
    t.match(ctx.get(UpstreamAttempts), [
      { endpoint_id: 'a', status: 200, success: false, error_type: 'stream_error' },
      { endpoint_id: 'b', status: 200, success: true, error_type: '' },
    ]);
    h.filter.onComplete(ctx);
  });
}

t.test('retry_on without stream_error: endpoint #1 stream reaches the client untouched', async (t) => {
  const bad = [ANTHROPIC_ERROR, 10, 'data: {"more":1}\n\n'];
  const [a, b] = await Promise.all([sseUpstream(bad), sseUpstream(GOOD)]);
  const h = await proxyHarness([{ id: 'a', to: a.port, llm: noCooldown }, { id: 'b', to: b.port }], { retry_on: ['connect_error', 'reset', 'empty_stream', 429, '5xx'] });
  t.teardown(async () => (await h.close(), await Promise.all([a.close(), b.close()])));
  const ctx = await h.run({}, 'a');
  t.equal(ctx.response.headers['x-dgp-attempts'], 'a=200');
  t.equal((await drainBody(ctx)).text, bad.filter((s) => typeof s === 'string').join(''));
  t.equal(b.requests, 0, 'no fallback');
});

t.test('every endpoint errors: a clear 503 naming the upstream error, never a 200', async (t) => {
  const [a, b] = await Promise.all([sseUpstream([ANTHROPIC_ERROR]), sseUpstream(['data: {"error":{"message":"quota gone sk-prov-SECRET","type":"insufficient_quota"}}\n\n'])]);
  const h = await proxyHarness([
    { id: 'a', to: a.port, llm: noCooldown },
    { id: 'b', to: b.port, llm: { api_key: 'sk-prov-SECRET' } },
  ]);
  t.teardown(async () => (await h.close(), await Promise.all([a.close(), b.close()])));
  const ctx = await h.run({}, 'a');
  t.equal(ctx.response.status, 503);
  t.equal(ctx.response.headers['x-dgp-attempts'], 'a=stream_error;b=stream_error');
  const err = ctx.errors[0]!;
  t.equal(err.code, 'DGP_ERR_UPSTREAM_UNAVAILABLE');
  t.match(err.message, `endpoint [a] retry: request error: the upstream stream began with an error event: overloaded_error: Overloaded`);
  t.match(err.message, `endpoint [b] retry: request error: the upstream stream began with an error event: insufficient_quota: quota gone [REDACTED]`);
  t.notMatch(JSON.stringify(ctx.response.body?.toString()), /sk-prov-SECRET/, 'the endpoint key is redacted');

  const alone = await proxyHarness([{ id: 'a', to: a.port, llm: { retry_policy: { name: 'CountBased', config: { times: 2 } } } }]);
  t.teardown(() => alone.close());
  const c2 = await alone.run();
  t.equal(c2.response.status, 503);
  t.equal(c2.response.headers['x-dgp-attempts'], 'a=stream_error', 'like a transport error: fallback, no same-endpoint retry');
});

t.test('normal streams are forwarded byte-identical, the word "error" in content included', async (t) => {
  const cases: Step[][] = [
    ['data: {"choices":[{"delta":{"content":"error: file not found"}}],"error":null}\n\n', 'data: [DONE]\n\n'],
    [': error-free keep-alive\r\n\r\n', 'event: message\r\ndata: {"type":"text","text":"an error occurred"}\r\n\r\n'],
    ['data: {"choices":[{"delta":{"con', 20, 'tent":"split error"}}]}\n', 20, '\ndata: [DONE]\n\n'],
    ['\uFEFFdata: {"type":"message_start"}\r', 'data: x\r\r'],
  ];
  for (const steps of cases) {
    const up = await sseUpstream(steps);
    const h = await proxyHarness([{ id: 'a', to: up.port }]);
    const ctx = await h.run();
    t.equal(ctx.response.headers['x-dgp-attempts'], 'a=200');
    const d = await drainBody(ctx);
    t.equal(d.text, steps.filter((s) => typeof s === 'string').join(''), JSON.stringify(steps[0]));
    await h.close();
    await up.close();
  }
});

t.test('a first event still open at 64 KiB is committed as it is, without waiting for its end', async (t) => {
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  const big = `data: {"text":"${'x'.repeat(FIRST_EVENT_LIMIT + 1024)}`;
  const up = await sseUpstream([big, gate, '"}\n\n']);
  const h = await proxyHarness([{ id: 'a', to: up.port }]);
  t.teardown(async () => (open(), await h.close(), await up.close()));
  // Resolves while the upstream still holds the rest of the event; bounded so a regression fails instead of hanging.
  const timer = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the proxy waited for the end of the event')), 5000).unref());
  const ctx = await Promise.race([h.run(), timer]);
  t.equal(ctx.response.status, 200);
  open();
  t.equal((await drainBody(ctx)).text, `${big}"}\n\n`);
});

t.test('a first event that stalls is bounded by idle_timeout', async (t) => {
  const up = await sseUpstream(['data: {"type":"er', 3000, 'ror"}\n\n']);
  const h = await proxyHarness([{ id: 'a', to: up.port }], { idle_timeout: '200ms' });
  t.teardown(async () => (await h.close(), await up.close()));
  const ctx = await h.run();
  t.equal(ctx.response.status, 504);
  t.equal(ctx.response.headers['x-dgp-attempts'], 'a=timeout');
});

t.test('50 requests in a row all fall back (property 19, bounded)', async (t) => {
  const [a, b] = await Promise.all([sseUpstream([ANTHROPIC_ERROR]), sseUpstream(GOOD)]);
  const h = await proxyHarness([{ id: 'a', to: a.port, llm: noCooldown }, { id: 'b', to: b.port }]);
  t.teardown(async () => (await h.close(), await Promise.all([a.close(), b.close()])));
  let ok = 0;
  for (let i = 0; i < 50; i++) {
    const ctx = await h.run({}, 'a'); // round robin would start at b every other time
    const d = await drainBody(ctx);
    if (ctx.response.status === 200 && ctx.response.headers['x-dgp-attempts'] === 'a=stream_error;b=200' && d.text === GOOD.join('')) ok++;
    h.filter.onComplete(ctx);
  }
  t.equal(ok, 50);
  t.same([a.requests, b.requests], [50, 50]);
});

t.test('through the host, the Anthropic SDK: fallback streams; all failing is an APIError 503, not a success', async (t) => {
  const messageStream = [
    'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-x","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":3,"output_tokens":0}}}\n\n',
    'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\n',
    'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"hello"}}\n\n',
    'event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\n',
    'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":1}}\n\n',
    'event: message_stop\ndata: {"type":"message_stop"}\n\n',
  ];
  const [a, b, c] = await Promise.all([sseUpstream([ANTHROPIC_ERROR]), sseUpstream(messageStream), sseUpstream([ANTHROPIC_ERROR])]);
  const endpoint = (id: string, port: number, fallback: boolean): string => `
        - id: ${id}
          socket_address: {address: 127.0.0.1, port: ${port}}
          llm_meta: {provider: anthropic, api_key: sk-ant-prov, fallback: ${fallback}, health_check_interval: 0}`;
  const conf = (eps: string): string =>
    proxyConf({
      filters: `
                - name: dgp.filter.llm.proxy
                  config: {}`,
      clusters: `
    - name: chat
      lb_policy: RoundRobin
      endpoints:${eps}`,
    });
  const good = await startGateway(conf(endpoint('a', a.port, true) + endpoint('b', b.port, false)));
  const bad = await startGateway(conf(endpoint('a', a.port, true) + endpoint('c', c.port, false)));
  t.teardown(async () => (await good.close(), await bad.close(), await Promise.all([a.close(), b.close(), c.close()])));
  const ask = (url: string) =>
    new Anthropic({ baseURL: url, apiKey: 'k', maxRetries: 0 }).messages.create({ model: 'claude-x', max_tokens: 8, messages: [{ role: 'user', content: 'hi' }], stream: true });

  let text = '';
  for await (const ev of await ask(good.url())) if (ev.type === 'content_block_delta' && ev.delta.type === 'text_delta') text += ev.delta.text;
  t.equal(text, 'hello');

  const failed = await ask(bad.url()).then(
    () => undefined,
    (err: unknown) => err,
  );
  t.ok(failed instanceof Anthropic.APIError, 'the SDK raises instead of reading a stream');
  const apiErr = failed as InstanceType<typeof Anthropic.APIError>;
  t.equal(apiErr.status, 503);
  t.match(apiErr.message, /overloaded_error: Overloaded/);
  t.match(apiErr.error, { type: 'error', error: { message: /the upstream stream began with an error event/ } });
});

t.test('retry_on: stream_error is a default token, and all_non_2xx includes it', async (t) => {
  t.ok(DEFAULT_RETRY_ON.includes('stream_error'));
  t.ok(parseRetryOn(DEFAULT_RETRY_ON).streamError);
  t.ok(parseRetryOn(['all_non_2xx']).streamError);
  t.ok(parseRetryOn(['STREAM_ERROR']).streamError);
  t.notOk(parseRetryOn(['connect_error', 503]).streamError);
});

t.test('first-event.ts: which first events are errors', async (t) => {
  const verdict = (s: string, ended = false) => inspectFirstEvent(Buffer.from(s), ended);
  t.same(verdict(ANTHROPIC_ERROR), { kind: 'error', message: 'overloaded_error: Overloaded' });
  t.same(verdict(`data:${OVERLOADED}\r\n\r\n`), { kind: 'error', message: 'overloaded_error: Overloaded' }, 'no space after the colon, CRLF');
  t.same(verdict(`data: ${OVERLOADED}\r\r`), { kind: 'error', message: 'overloaded_error: Overloaded' }, 'CR line ends');
  t.same(verdict('data: {"error":{"message":"boom","type":"server_error","code":null}}\n\n'), { kind: 'error', message: 'server_error: boom' });
  t.same(verdict('data: {"error":{"code":429,"message":"Resource exhausted","status":"RESOURCE_EXHAUSTED"}}\n\n'), { kind: 'error', message: '429: Resource exhausted' }, 'Gemini');
  t.same(verdict('event: error\ndata: not json\n\n'), { kind: 'error', message: 'not json' });
  t.same(verdict('event: error\n\n'), { kind: 'error', message: 'no details' });
  t.same(verdict('data: {"type":"error",\ndata: "error":{"type":"api_error","message":"multi"}}\n\n'), { kind: 'error', message: 'api_error: multi' }, 'multi-line data');
  t.same(verdict(`\uFEFF: ping\n\n: still here\r\n\r\nid: 7\nretry: 100\n\n${ANTHROPIC_ERROR}`), { kind: 'error', message: 'overloaded_error: Overloaded' }, 'BOM, comments, id/retry blocks skipped');
  t.same(verdict(`data: ${OVERLOADED}`, true), { kind: 'error', message: 'overloaded_error: Overloaded' }, 'an unterminated error at the end of input');
  t.same(verdict(`event:error\ndata:{"type":"error","error":{"message":"${'m'.repeat(800)}"}}\n\n`).kind, 'error');
  t.ok((verdict(`event:error\ndata:{"error":{"message":"${'m'.repeat(800)}"}}\n\n`) as { message: string }).message.length <= 501, 'message bounded');

  for (const ok of [
    'data: {"choices":[{"delta":{"content":"error"}}]}\n\n',
    'data: {"error":null,"choices":[]}\n\n',
    'data: {"error":"a string is not an error object"}\n\n',
    'event: message_start\ndata: {"type":"message_start","message":{"content":"error"}}\n\n',
    ': error in a comment\n\ndata: {"x":1}\n\n',
    'data: {"x":1}\n\nevent: error\ndata: {}\n\n',
    'data: [DONE]\n\n',
    'errors: 1\n\ndata: {"x":1}\n\n',
  ])
    t.same(verdict(ok), { kind: 'ok' }, JSON.stringify(ok));
  for (const open of ['data: {"type":"err', ': ping\n\n', 'event: error\n', 'data: x\r\n\r'.slice(0, -1)]) t.same(verdict(open), { kind: 'incomplete' }, JSON.stringify(open));
  t.same(verdict(': only a comment', true), { kind: 'ok' }, 'input ended without an event');
  t.equal(errorOfEvent('data: {"type":"message_start"}\n\n'), undefined);
});

t.test('first-event.ts: any split of the bytes gives the same verdict and keeps every byte', async (t) => {
  const stream = Buffer.from(`\uFEFF: hi\r\n\r\nevent: error\r\ndata: ${OVERLOADED}\r\n\r\ndata: after\n\n`);
  let same = 0;
  for (let cut = 0; cut <= stream.length; cut++) {
    const r = new FirstEventReader();
    r.push(stream.subarray(0, cut));
    r.push(stream.subarray(cut));
    if (r.verdict().kind === 'error' && r.bytes().equals(stream)) same++;
  }
  t.equal(same, stream.length + 1);
  const one = new FirstEventReader();
  let done = false;
  for (const byte of stream) done = one.push(Buffer.from([byte])) || done;
  t.ok(done);
  t.same(one.verdict(), { kind: 'error', message: 'overloaded_error: Overloaded' }, 'one byte at a time');
  t.ok(one.bytes().equals(stream));
  const single = Buffer.from('data: {"a":1}\n\n');
  const r = new FirstEventReader();
  t.ok(r.push(single));
  t.equal(r.bytes(), single, 'a single chunk is passed on as is, not copied');
});
