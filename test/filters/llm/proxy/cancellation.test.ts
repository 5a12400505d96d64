// Client disconnects (issue 3; reliability properties 1–3): waiting for the first byte, mid-stream, during a backoff
// wait and mid unary body — each verified from the upstream's side: its request is closed within the bound.
import { performance } from 'node:perf_hooks';
import t from 'tap';
import { UpstreamAttempts } from '../../../../core/index.js';
import { drainBody, testContext } from '../../../helpers/request-context.js';
import { FakeUpstream } from '../../../helpers/fake-upstream.js';
import { proxyHarness } from './helpers/setup.js';

/** reliability.md proposes 250 ms on loopback; issue 3 asks for 100 ms on an idle machine. */
const BOUND_MS = 250;

t.test('abort while waiting for the first byte (property 2)', async (t) => {
  const up = await FakeUpstream.start({ behaviour: 'stall-headers:5000' });
  const h = await proxyHarness([{ id: 'a', to: up, llm: { fallback: true, retry_policy: { name: 'CountBased', config: { times: 3 } } } }]);
  t.teardown(async () => (await h.close(), await up.close()));
  for (let i = 0; i < 5; i++) {
    const { ctx, done } = h.start();
    await up.waitFor(() => up.requests.length === i + 1, 2000, 'request reached the upstream');
    const at = performance.now();
    ctx.abortClient();
    await done;
    await up.waitFor(() => up.requests[i]!.abortedAt !== undefined, 2000, 'upstream saw the close');
    const lag = up.requests[i]!.abortedAt! - at;
    t.ok(lag < BOUND_MS, `upstream closed ${lag.toFixed(1)} ms after the abort`);
    t.equal(ctx.response.status, 499);
    t.equal(ctx.errors[0]?.code, 'DGP_ERR_UPSTREAM_ABORTED');
    t.match(ctx.get(UpstreamAttempts), [{ status: 0, success: false, error_type: 'aborted' }]);
  }
  t.equal(up.requests.length, 5, 'no further attempt after an abort');
  t.equal(await h.fctx.registry.getSingleMetricAsString('dgp_upstream_cancelled_total').then((s) => /} 5$/m.test(s)), true, 'counted');
});

t.test('abort mid-stream through the signal, and through return() alone (property 1)', async (t) => {
  const up = await FakeUpstream.start({ behaviour: 'sse:1000:20' });
  const h = await proxyHarness([{ id: 'a', to: up }]);
  t.teardown(async () => (await h.close(), await up.close()));

  const ctx = await h.run();
  const it = (ctx.response.body as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  for (let i = 0; i < 3; i++) await it.next();
  const at = performance.now();
  ctx.abortClient();
  await t.rejects(it.next(), { code: 'DGP_ERR_UPSTREAM_ABORTED' }, 'no error frame for a client that is gone');
  await up.waitFor(() => up.requests[0]!.abortedAt !== undefined, 2000, 'upstream closed');
  t.ok(up.requests[0]!.abortedAt! - at < BOUND_MS);
  t.ok(up.requests[0]!.eventsSent < 1000);
  t.match(ctx.get(UpstreamAttempts), [{ success: false, error_type: 'aborted' }]);

  const ctx2 = await h.run();
  const d = await drainBody(ctx2, { stopAfter: 2 });
  t.equal(d.chunks.length, 2);
  const at2 = performance.now();
  await up.waitFor(() => up.requests[1]!.abortedAt !== undefined, 2000, 'return() closed the upstream');
  t.ok(up.requests[1]!.abortedAt! - at2 < BOUND_MS);
  h.filter.onComplete(ctx2);
});

t.test('abort during a backoff wait: no further attempt', async (t) => {
  const up = await FakeUpstream.start({ behaviour: 'status:503' });
  const h = await proxyHarness([{ id: 'a', to: up, llm: { retry_policy: { name: 'ExponentialBackoff', config: { times: 3, initialInterval: '3s' } } } }]);
  t.teardown(async () => (await h.close(), await up.close()));
  const { ctx, done } = h.start();
  await up.waitFor(() => up.requests.length === 1, 2000, 'first attempt');
  await new Promise((r) => setTimeout(r, 50));
  const at = performance.now();
  ctx.abortClient();
  await done;
  t.ok(performance.now() - at < BOUND_MS, 'decode returned at once');
  t.equal(ctx.response.status, 499);
  await new Promise((r) => setTimeout(r, 300));
  t.equal(up.requests.length, 1, 'the retry never happened');
});

t.test('abort mid unary body (property 3)', async (t) => {
  const up = await FakeUpstream.start({ behaviour: 'stall-body:5000' });
  const h = await proxyHarness([{ id: 'a', to: up }]);
  t.teardown(async () => (await h.close(), await up.close()));
  const { ctx, done } = h.start();
  await up.waitFor(() => up.requests.length === 1, 2000);
  await new Promise((r) => setTimeout(r, 100));
  const at = performance.now();
  ctx.abortClient();
  await done;
  await up.waitFor(() => up.requests[0]!.abortedAt !== undefined, 2000);
  t.ok(up.requests[0]!.abortedAt! - at < BOUND_MS);
  t.equal(ctx.response.status, 499);
});

t.test('a client already gone never reaches the upstream', async (t) => {
  const up = await FakeUpstream.start();
  const h = await proxyHarness([{ id: 'a', to: up }]);
  t.teardown(async () => (await h.close(), await up.close()));
  const { ctx, done } = h.start();
  ctx.abortClient();
  await done;
  t.equal(ctx.response.status, 499);
  await new Promise((r) => setTimeout(r, 50));
  t.equal(up.requests.length, 0);
});

t.test('the proxy listens through ctx.onAbort, never builds ctx.signal, and still cancels at once', async (t) => {
  const up = await FakeUpstream.start({ behaviour: 'stall-headers:5000' });
  const h = await proxyHarness([{ id: 'a', to: up }]);
  t.teardown(async () => (await h.close(), await up.close()));
  const ctx = testContext({ body: { model: 'fake-model', messages: [] }, cluster: h.cluster });
  Object.defineProperty(ctx, 'signal', { get: () => t.fail('ctx.signal was built') });
  const done = h.filter.decode(ctx);
  await up.waitFor(() => up.requests.length === 1, 2000, 'request reached the upstream');
  const at = performance.now();
  ctx.abortClient();
  await done;
  await up.waitFor(() => up.requests[0]!.abortedAt !== undefined, 2000, 'upstream saw the close');
  t.ok(up.requests[0]!.abortedAt! - at < BOUND_MS, 'closed within the bound');
  t.equal(ctx.errors[0]?.code, 'DGP_ERR_UPSTREAM_ABORTED');
});
