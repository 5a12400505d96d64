// The success path through real sockets: request assembly (path, query, headers, exact Content-Length, key
// injection), unary and streamed answers, attributes and x-dgp-attempts (reliability properties 9, 35, 36).
import { createHash } from 'node:crypto';
import t from 'tap';
import { SelectedEndpoint, UpstreamAttempts, UpstreamFirstByteAt } from '../../../../core/index.js';
import { parseAttempts } from '../../../../filters/llm/proxy/attempts-header.js';
import { drainBody } from '../../../helpers/request-context.js';
import { FAKE_JSON, FakeUpstream, fakeSseEvent } from '../../../helpers/fake-upstream.js';
import { proxyHarness } from './helpers/setup.js';

t.test('unary JSON: method, path and query unchanged, exact body, status/headers/body back', async (t) => {
  const up = await FakeUpstream.start();
  const h = await proxyHarness([{ id: 'ep-a', to: up, llm: { api_key: 'sk-prov-CANARY-123' } }]);
  t.teardown(async () => (await h.close(), await up.close()));
  const body = Buffer.from(JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'héllo' }] }));
  const ctx = await h.run({ url: '/v1/chat/completions?api-version=2024-01-01&x=%2F', body, headers: { 'content-type': 'application/json' } });
  const rec = up.requests[0]!;
  t.equal(rec.method, 'POST');
  t.equal(rec.url, '/v1/chat/completions?api-version=2024-01-01&x=%2F', 'the raw request-target is forwarded');
  t.equal(rec.headers['content-length'], String(body.length), 'exact Content-Length');
  t.equal(rec.headers['transfer-encoding'], undefined, 'not chunked');
  t.equal(createHash('sha256').update(rec.body).digest('hex'), createHash('sha256').update(body).digest('hex'));
  t.equal(rec.headers.authorization, 'Bearer sk-prov-CANARY-123');
  t.match(rec.headers['user-agent'], /^dgp-gateway\/\d/);
  t.equal(rec.headers.host, `127.0.0.1:${up.port}`);
  t.equal(ctx.response.status, 200);
  t.ok(Buffer.isBuffer(ctx.response.body), 'a small unary answer is a Buffer');
  t.same(JSON.parse((ctx.response.body as Buffer).toString()), FAKE_JSON);
  t.equal(ctx.response.headers['content-type'], 'application/json');
  t.equal(ctx.response.headers['content-length'], undefined, 'the host frames the body');
  t.equal(ctx.response.headers['x-dgp-attempts'], 'ep-a=200');
  t.same(ctx.get(SelectedEndpoint), { cluster: h.cluster, id: 'ep-a', address: `127.0.0.1:${up.port}` });
  t.type(ctx.get(UpstreamFirstByteAt), 'number');
  t.match(ctx.get(UpstreamAttempts), [{ endpoint_id: 'ep-a', address: `127.0.0.1:${up.port}`, cluster: h.cluster, status: 200, success: true, error_type: '' }]);
  t.equal(ctx.replied, false);
});

t.test('hop-by-hop and Connection tricks cannot strip or spoof the injected key (properties 35, 36)', async (t) => {
  const up = await FakeUpstream.start({ behaviour: 'echo-headers' });
  const h = await proxyHarness([{ id: 'ep-a', to: up, llm: { api_key: 'sk-prov-CANARY-456' } }]);
  t.teardown(async () => (await h.close(), await up.close()));
  const ctx = await h.run({
    headers: {
      connection: 'authorization, x-forwarded-for, x-gateway-key',
      authorization: 'Bearer sk-gw-CANARY',
      'x-api-key': 'sk-gw-CANARY',
      'x-forwarded-for': '10.0.0.9',
      'x-gateway-key': 'gk',
      'keep-alive': 'timeout=99',
      te: 'trailers',
      upgrade: 'websocket',
      'proxy-connection': 'keep-alive',
      'transfer-encoding': 'chunked',
      'x-custom': 'kept',
    },
  });
  const seen = up.requests[0]!.headers;
  t.equal(seen.authorization, 'Bearer sk-prov-CANARY-456', 'the gateway key arrives unchanged');
  for (const h of ['x-forwarded-for', 'x-gateway-key', 'keep-alive', 'te', 'upgrade', 'proxy-connection', 'x-api-key']) t.equal(seen[h], undefined, `${h} stripped`);
  t.equal(seen['x-custom'], 'kept');
  t.notMatch(JSON.stringify(up.requests[0]!.rawHeaders), /sk-gw-CANARY/, 'the gateway credential never travels upstream');
  const down = JSON.stringify(ctx.response.headers) + (ctx.response.body as Buffer).toString();
  t.match(down, /\[REDACTED\]/, 'the echoed provider key is redacted');
  t.notMatch(down, /sk-prov-CANARY/, 'the provider key never travels downstream');
});

t.test('without api_key the client Authorization passes through (Pixiu)', async (t) => {
  const up = await FakeUpstream.start();
  const h = await proxyHarness([{ id: 'ep-a', to: up }]);
  t.teardown(async () => (await h.close(), await up.close()));
  await h.run({ headers: { authorization: 'Bearer client-key', 'user-agent': 'openai-node' } });
  t.equal(up.requests[0]!.headers.authorization, 'Bearer client-key');
  t.match(up.requests[0]!.headers['user-agent'], /^dgp-gateway\//, 'User-Agent is always replaced');
});

t.test('SSE is streamed chunk by chunk, byte-identical, flushed as it comes (property 9)', async (t) => {
  const up = await FakeUpstream.start({ behaviour: 'sse:20:5' });
  const h = await proxyHarness([{ id: 'ep-a', to: up }]);
  t.teardown(async () => (await h.close(), await up.close()));
  const ctx = await h.run();
  t.equal(ctx.response.status, 200);
  t.equal(ctx.response.headers['content-type'], 'text/event-stream');
  t.notOk(Buffer.isBuffer(ctx.response.body), 'a stream is an async iterable');
  t.equal(up.requests[0]!.finishedAt, undefined, 'decode returned before the upstream finished: nothing is buffered whole');
  const drained = await drainBody(ctx);
  t.equal(drained.error, undefined);
  let expected = '';
  for (let i = 0; i < 20; i++) expected += fakeSseEvent(i);
  t.equal(drained.text, expected + 'data: [DONE]\n\n');
  t.ok(drained.chunks.length >= 10, `arrived in ${drained.chunks.length} chunks, not one`);
  h.filter.onComplete(ctx);
  t.match(ctx.get(UpstreamAttempts), [{ success: true, error_type: '' }]);
});

t.test('a bodyless GET is sent without a body or Content-Length', async (t) => {
  const up = await FakeUpstream.start({ behaviour: 'echo-headers' });
  const h = await proxyHarness([{ id: 'ep-a', to: up }]);
  t.teardown(async () => (await h.close(), await up.close()));
  const ctx = await h.run({ method: 'GET', url: '/v1/models', body: Buffer.alloc(0) });
  t.equal(up.requests[0]!.headers['content-length'], undefined, 'a bodyless GET sends no Content-Length');
  t.equal(up.requests[0]!.method, 'GET');
  t.ok(Buffer.isBuffer(ctx.response.body));
});

t.test('x-dgp-attempts format round-trips odd ids', async (t) => {
  const { formatAttempts } = await import('../../../../filters/llm/proxy/attempts-header.js');
  const a = (endpoint_id: string, status: number, error_type: string) => ({ endpoint_id, address: '', cluster: 'c', status, success: false, error_type, duration_ms: 1 });
  const v = formatAttempts([a('a;b=c', 503, 'status_code_error'), a('ü', 0, 'connect_error'), a('x', 200, 'empty_stream'), a('y', 200, '')]);
  t.equal(v, 'a%3Bb%3Dc=503;%C3%BC=connect_error;x=empty_stream;y=200');
  t.same(parseAttempts(v), [
    { id: 'a;b=c', outcome: '503' },
    { id: 'ü', outcome: 'connect_error' },
    { id: 'x', outcome: 'empty_stream' },
    { id: 'y', outcome: '200' },
  ]);
  const many = formatAttempts(Array.from({ length: 40 }, (_, i) => a(`e${i}`, 503, 'status_code_error')));
  t.match(many, /;\+8$/);
});
