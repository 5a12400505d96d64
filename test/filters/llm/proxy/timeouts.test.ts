// Timeouts (issue 3; reliability properties 14, 24, 25): first byte, idle between chunks, the total deadline, and
// Pixiu's `timeout` as the first-byte default. Each case fails with its own code; nothing is inherited from undici.
import { performance } from 'node:perf_hooks';
import t from 'tap';
import { UpstreamAttempts } from '../../../../core/index.js';
import { drainBody } from '../../../helpers/request-context.js';
import { FakeUpstream } from '../../../helpers/fake-upstream.js';
import { proxyHarness } from './helpers/setup.js';

t.test('headers that never come: first_byte_timeout → 504, not retried by default', async (t) => {
  const [a, b] = await Promise.all([FakeUpstream.start({ behaviour: 'stall-headers:3000' }), FakeUpstream.start()]);
  const h = await proxyHarness([{ id: 'a', to: a, llm: { fallback: true } }, { id: 'b', to: b }], { first_byte_timeout: '200ms' });
  t.teardown(async () => (await h.close(), await Promise.all([a.close(), b.close()])));
  const at = performance.now();
  const ctx = await h.run();
  const took = performance.now() - at;
  t.equal(ctx.response.status, 504);
  t.equal(ctx.errors[0]?.code, 'DGP_ERR_UPSTREAM_TIMEOUT');
  t.equal(ctx.response.headers['x-dgp-attempts'], 'a=timeout');
  t.equal(b.requests.length, 0, 'a timeout does not fall back unless retry_on lists it');
  t.ok(took >= 190 && took < 2500, `answered after ${took.toFixed(0)} ms`);
  await a.waitFor(() => a.requests[0]?.abortedAt !== undefined, 2000, 'the upstream request was closed');

  const lenient = await proxyHarness([{ id: 'a', to: a, llm: { fallback: true } }, { id: 'b', to: b }], { first_byte_timeout: '200ms', retry_on: ['timeout'] });
  t.teardown(() => lenient.close());
  const c2 = await lenient.run({ headers: { 'x-ignored': '1' } });
  t.equal(c2.response.headers['x-dgp-attempts'], 'a=timeout;b=200', 'retry_on: [timeout] falls back');
});

t.test('Pixiu `timeout` is the first-byte default; an explicit longer limit is honoured (property 25)', async (t) => {
  const up = await FakeUpstream.start({ behaviour: 'stall-headers:600' });
  const short = await proxyHarness([{ id: 'a', to: up }], { timeout: '150ms' });
  const long = await proxyHarness([{ id: 'a', to: up }], { timeout: '150ms', first_byte_timeout: '5s' });
  t.teardown(async () => (await short.close(), await long.close(), await up.close()));
  t.equal(short.filter.options.firstByteTimeout, 150);
  t.equal((await short.run()).response.status, 504);
  t.equal(long.filter.options.firstByteTimeout, 5000);
  t.equal((await long.run()).response.status, 200);
});

t.test('a stalled unary body: idle_timeout → 504 before anything reached the client', async (t) => {
  const up = await FakeUpstream.start({ behaviour: 'stall-body:3000' });
  const h = await proxyHarness([{ id: 'a', to: up }], { idle_timeout: '200ms' });
  t.teardown(async () => (await h.close(), await up.close()));
  const ctx = await h.run();
  t.equal(ctx.response.status, 504);
  t.equal(ctx.errors[0]?.code, 'DGP_ERR_UPSTREAM_TIMEOUT');
  t.match(ctx.get(UpstreamAttempts), [{ status: 200, success: false, error_type: 'timeout' }]);
});

t.test('a stream that goes silent mid-way: error event, then the body throws (property 24c)', async (t) => {
  const up = await FakeUpstream.start({ behaviour: 'sse:3:700' });
  const h = await proxyHarness([{ id: 'a', to: up }], { idle_timeout: '250ms' });
  t.teardown(async () => (await h.close(), await up.close()));
  const ctx = await h.run();
  t.equal(ctx.response.status, 200);
  const d = await drainBody(ctx);
  t.match(d.error, { code: 'DGP_ERR_UPSTREAM_TIMEOUT' });
  t.match(d.text, /^data: .*"t0".*\n\ndata: \{"error":\{"message":"upstream stream stopped: the upstream sent nothing for idle_timeout","type":"timeout_error".*"code":"DGP_ERR_UPSTREAM_TIMEOUT"\}\}\n\n$/s);
  t.match(ctx.get(UpstreamAttempts), [{ success: false, error_type: 'timeout' }]);
});

t.test('events slower than first byte but within idle_timeout are never cut', async (t) => {
  const up = await FakeUpstream.start({ behaviour: 'sse:4:150' });
  const h = await proxyHarness([{ id: 'a', to: up }], { idle_timeout: '1s', first_byte_timeout: '1s' });
  t.teardown(async () => (await h.close(), await up.close()));
  const d = await drainBody(await h.run());
  t.equal(d.error, undefined);
  t.match(d.text, /data: \[DONE\]\n\n$/);
});

t.test('the deadline spans every attempt and fallback (property 14)', async (t) => {
  const ups = await Promise.all([1, 2, 3].map(() => FakeUpstream.start({ behaviour: 'stall-headers:400:503' })));
  const h = await proxyHarness(
    ups.map((u, i) => ({ id: `e${i}`, to: u, llm: { fallback: true } })),
    { deadline: '1s' },
  );
  t.teardown(async () => (await h.close(), await Promise.all(ups.map((u) => u.close()))));
  const at = performance.now();
  const ctx = await h.run();
  const took = performance.now() - at;
  t.ok(took >= 950 && took < 1600, `ended after ${took.toFixed(0)} ms`);
  t.equal(ctx.response.status, 503, 'the last upstream answer');
  t.equal(ctx.response.headers['x-dgp-attempts'], 'e0=503;e1=503;e2=timeout');
  await ups[2]!.waitFor(() => ups[2]!.requests[0]?.abortedAt !== undefined, 2000, 'the cut attempt was closed upstream');
});

t.test('a deadline with no answer at all is 504; a backoff that would outlast it is not started', async (t) => {
  const up = await FakeUpstream.start({ behaviour: 'status:503' });
  const h = await proxyHarness([{ id: 'a', to: up, llm: { retry_policy: { name: 'ExponentialBackoff', config: { times: 3, initialInterval: '5s' } } } }], { deadline: '1s' });
  t.teardown(async () => (await h.close(), await up.close()));
  const at = performance.now();
  const ctx = await h.run();
  t.ok(performance.now() - at < 900, 'returned without waiting for the 5 s backoff');
  t.equal(ctx.response.status, 503, 'the upstream 503 is still the answer');
  t.equal(up.requests.length, 1);

  const stall = await FakeUpstream.start({ behaviour: 'stall-headers:3000' });
  const h2 = await proxyHarness([{ id: 'a', to: stall }], { deadline: '300ms' });
  t.teardown(async () => (await h2.close(), await stall.close()));
  const c2 = await h2.run();
  t.equal(c2.response.status, 504);
  t.match(c2.errors[0], { code: 'DGP_ERR_UPSTREAM_TIMEOUT', message: /deadline/ });
});

t.test('a set deadline also bounds a stream that has started', async (t) => {
  const up = await FakeUpstream.start({ behaviour: 'sse:100:30' });
  const h = await proxyHarness([{ id: 'a', to: up }], { deadline: '400ms' });
  t.teardown(async () => (await h.close(), await up.close()));
  const d = await drainBody(await h.run());
  t.match(d.error, { code: 'DGP_ERR_UPSTREAM_TIMEOUT' });
  t.match(d.text, /data: \{"error":.*the proxy deadline passed/);
  await up.waitFor(() => up.requests[0]?.abortedAt !== undefined, 2000, 'upstream closed');
});
