// Mid-stream failures (reliability properties 5, 7, 8): a cut stream ends with an error event and a thrown error,
// never a clean end; nothing is retried once a byte reached the client; a broken socket is never reused.
import { PassThrough } from 'node:stream';
import t from 'tap';
import { DgpError, UpstreamAttempts } from '../../../../core/index.js';
import { factsOf, streamErrorEvent } from '../../../../core/llm/index.js';
import { UpstreamBody, readableSource, type StreamEnd } from '../../../../filters/llm/proxy/response-body.js';
import { drainBody } from '../../../helpers/request-context.js';
import { FakeUpstream, fakeSseEvent } from '../../../helpers/fake-upstream.js';
import { proxyHarness } from './helpers/setup.js';

const firstN = (n: number): string => Array.from({ length: n }, (_, i) => fakeSseEvent(i)).join('');

for (const mode of ['sse-cut', 'sse-rst'] as const) {
  t.test(`${mode}: error event then an abrupt end; no retry after the first byte (properties 5, 7)`, async (t) => {
    const [a, b] = await Promise.all([FakeUpstream.start({ behaviour: `${mode}:5:2` }), FakeUpstream.start({ behaviour: 'sse:5:0' })]);
    const h = await proxyHarness(
      [{ id: 'a', to: a, llm: { fallback: true, retry_policy: { name: 'CountBased', config: { times: 3 } } } }, { id: 'b', to: b }],
      { retry_on: ['all_non_2xx'] },
    );
    t.teardown(async () => (await h.close(), await Promise.all([a.close(), b.close()])));
    for (let i = 0; i < 5; i++) {
      const ctx = await h.run({}, 'a');
      const d = await drainBody(ctx);
      t.match(d.error, { code: 'DGP_ERR_UPSTREAM_STREAM_CUT' }, 'the body iterator throws: the host cuts the connection');
      t.ok(d.text.startsWith(firstN(5)), 'exactly the first 5 events, no duplicates');
      const tail = d.text.slice(firstN(5).length);
      t.match(tail, /^data: \{"error":\{"message":"upstream stream ended abnormally: .*","type":"server_error","param":null,"code":"DGP_ERR_UPSTREAM_STREAM_CUT"\}\}\n\n$/);
      t.notMatch(d.text, /\[DONE\]/);
      t.match(ctx.get(UpstreamAttempts), [{ endpoint_id: 'a', status: 200, success: false, error_type: 'stream_cut' }]);
      h.filter.onComplete(ctx);
    }
    t.equal(b.requests.length, 0, 'endpoint b never received a request');
    t.equal(a.requests.length, 5, 'one attempt per request');
  });
}

t.test('after a reset stream the next request succeeds on its first attempt (property 8)', async (t) => {
  const up = await FakeUpstream.start();
  const h = await proxyHarness([{ id: 'a', to: up }]);
  t.teardown(async () => (await h.close(), await up.close()));
  for (let i = 0; i < 5; i++) {
    up.enqueue('sse-rst:3:0', 'sse:2:0');
    await drainBody(await h.run());
    const ok = await h.run();
    const d = await drainBody(ok);
    t.equal(d.error, undefined);
    t.equal(ok.response.headers['x-dgp-attempts'], 'a=200');
  }
  const conns = new Set(up.requests.map((r) => r.connectionId));
  t.equal(up.requests.length, 10);
  t.ok(conns.size >= 5, 'each reset socket was dropped, not reused');
  t.match(h.pools.stats()[0], { running: 0, pending: 0, queued: 0 });
});

t.test('Anthropic clients get an Anthropic-shaped error event', async (t) => {
  const err = new DgpError('DGP_ERR_UPSTREAM_STREAM_CUT', 'cut');
  t.equal(streamErrorEvent('anthropic', factsOf(err)), 'event: error\ndata: {"type":"error","error":{"type":"api_error","message":"cut","code":"DGP_ERR_UPSTREAM_STREAM_CUT"}}\n\n');
  const up = await FakeUpstream.start({ behaviour: 'sse-cut:1:0' });
  const h = await proxyHarness([{ id: 'a', to: up }]);
  t.teardown(async () => (await h.close(), await up.close()));
  const d = await drainBody(await h.run({ url: '/v1/messages', clientApi: 'anthropic' }));
  t.match(d.text, /event: error\ndata: \{"type":"error","error":\{"type":"api_error"/);
});

function syntheticBody(sse = true): { body: UpstreamBody; src: PassThrough; ends: StreamEnd[] } {
  const src = new PassThrough();
  const ends: StreamEnd[] = [];
  const body = new UpstreamBody({
    source: readableSource(src),
    first: undefined,
    sse,
    clientApi: 'openai',
    cancelledBy: () => undefined,
    onEnd: (e) => ends.push(e),
  });
  return { body, src, ends };
}

t.test('a cut in the middle of an event: the error event starts on a fresh event boundary', async (t) => {
  const { body, src, ends } = syntheticBody();
  src.write('data: {"par');
  const first = await body.next();
  t.equal(first.value?.toString(), 'data: {"par');
  src.destroy(Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }));
  const frame = await body.next();
  t.match(frame.value?.toString(), /^\n\ndata: \{"error":/);
  await t.rejects(body.next(), { code: 'DGP_ERR_UPSTREAM_STREAM_CUT' });
  t.same(await body.next(), { done: true, value: undefined });
  t.same(ends, ['stream_cut']);
});

t.test('a non-SSE stream just throws; return() destroys the source once', async (t) => {
  const cut = syntheticBody(false);
  cut.src.write('{"a":');
  await cut.body.next();
  cut.src.destroy(new Error('boom'));
  await t.rejects(cut.body.next(), { code: 'DGP_ERR_UPSTREAM_STREAM_CUT' });

  const early = syntheticBody();
  early.src.write('data: 1\n\n');
  await early.body.next();
  await early.body.return();
  t.ok(early.src.destroyed, 'the upstream body is destroyed');
  t.same(early.ends, ['aborted']);
  early.body.dispose();
  t.same(early.ends, ['aborted'], 'ends are reported once');
});
