// Retries and fallback over real sockets (issue 3 tests; reliability properties 13, 15): which failures are retried,
// Pixiu's fallback order, the status table, Retry-After, and the bodies of abandoned attempts.
import { performance } from 'node:perf_hooks';
import t from 'tap';
import { UpstreamAttempts } from '../../../../core/index.js';
import { FakeUpstream } from '../../../helpers/fake-upstream.js';
import { closedPort, proxyHarness } from './helpers/setup.js';

const countBased = (times: number) => ({ name: 'CountBased', config: { times } });

t.test('429 then 200 on one endpoint (CountBased)', async (t) => {
  const up = await FakeUpstream.start();
  up.enqueue('status:429', 'json');
  const h = await proxyHarness([{ id: 'a', to: up, llm: { retry_policy: countBased(2) } }]);
  t.teardown(async () => (await h.close(), await up.close()));
  const ctx = await h.run();
  t.equal(ctx.response.status, 200);
  t.equal(up.requests.length, 2);
  t.equal(ctx.response.headers['x-dgp-attempts'], 'a=429;a=200');
  t.match(ctx.get(UpstreamAttempts), [
    { endpoint_id: 'a', status: 429, success: false, error_type: 'status_code_error' },
    { endpoint_id: 'a', status: 200, success: true, error_type: '' },
  ]);
  t.equal(up.requests[0]!.connectionId, up.requests[1]!.connectionId, 'the failed body was consumed and the socket reused');
});

t.test('503 storm with fallback across three endpoints', async (t) => {
  const [a, b, c] = await Promise.all([FakeUpstream.start({ behaviour: 'status:503' }), FakeUpstream.start({ behaviour: 'status:503' }), FakeUpstream.start()]);
  const h = await proxyHarness([
    { id: 'a', to: a, llm: { fallback: true, retry_policy: countBased(1) } },
    { id: 'b', to: b, llm: { fallback: true } },
    { id: 'c', to: c },
  ]);
  t.teardown(async () => (await h.close(), await Promise.all([a.close(), b.close(), c.close()])));
  const ctx = await h.run();
  t.equal(ctx.response.status, 200);
  t.equal(ctx.response.headers['x-dgp-attempts'], 'a=503;a=503;b=503;c=200');
  t.same([a.requests.length, b.requests.length, c.requests.length], [2, 1, 1]);
  t.ok(h.clusters.cooldowns.inCooldown(h.cluster, h.clusters.getEndpoint(h.cluster, 'a')!), 'a failed endpoint is cooled down');
  t.ok(h.clusters.cooldowns.inCooldown(h.cluster, h.clusters.getEndpoint(h.cluster, 'b')!));
  t.notOk(h.clusters.cooldowns.inCooldown(h.cluster, h.clusters.getEndpoint(h.cluster, 'c')!));
});

t.test('all endpoints answer 503: the last upstream response is returned (Pixiu)', async (t) => {
  const [a, b] = await Promise.all([FakeUpstream.start({ behaviour: 'status:503' }), FakeUpstream.start({ behaviour: 'status:502' })]);
  const h = await proxyHarness([{ id: 'a', to: a, llm: { fallback: true } }, { id: 'b', to: b, llm: { fallback: true } }]);
  t.teardown(async () => (await h.close(), await Promise.all([a.close(), b.close()])));
  const ctx = await h.run();
  t.equal(ctx.response.status, 502);
  t.same(JSON.parse((ctx.response.body as Buffer).toString()), { error: { message: 'fake status 502', type: 'fake_error', code: 502 } });
  t.equal(ctx.response.headers['x-dgp-attempts'], 'a=503;b=502');
  t.equal(ctx.replied, false, 'an upstream answer, not a local reply');
});

t.test('a non-retryable status (400) is returned at once: no retry, no fallback, no cooldown', async (t) => {
  const [a, b] = await Promise.all([FakeUpstream.start({ behaviour: 'status:400' }), FakeUpstream.start()]);
  const h = await proxyHarness([{ id: 'a', to: a, llm: { fallback: true, retry_policy: countBased(3) } }, { id: 'b', to: b }]);
  t.teardown(async () => (await h.close(), await Promise.all([a.close(), b.close()])));
  const ctx = await h.run();
  t.equal(ctx.response.status, 400);
  t.same([a.requests.length, b.requests.length], [1, 0]);
  t.match(ctx.get(UpstreamAttempts), [{ status: 400, success: false, error_type: 'status_code_error' }]);
  t.notOk(h.clusters.cooldowns.inCooldown(h.cluster, h.clusters.getEndpoint(h.cluster, 'a')!));
});

t.test('retry_on: [all_non_2xx] gives Pixiu behaviour: a 400 is retried and falls back', async (t) => {
  const [a, b] = await Promise.all([FakeUpstream.start({ behaviour: 'status:400' }), FakeUpstream.start()]);
  const h = await proxyHarness([{ id: 'a', to: a, llm: { fallback: true, retry_policy: countBased(1) } }, { id: 'b', to: b }], { retry_on: ['all_non_2xx'] });
  t.teardown(async () => (await h.close(), await Promise.all([a.close(), b.close()])));
  const ctx = await h.run();
  t.equal(ctx.response.headers['x-dgp-attempts'], 'a=400;a=400;b=200');
});

t.test('connection refused: fallback, or 503 when nothing answers', async (t) => {
  const dead = await closedPort();
  const up = await FakeUpstream.start();
  const h = await proxyHarness([{ id: 'dead', to: dead, llm: { fallback: true, retry_policy: countBased(3) } }, { id: 'ok', to: up }]);
  t.teardown(async () => (await h.close(), await up.close()));
  const ctx = await h.run();
  t.equal(ctx.response.status, 200);
  t.equal(ctx.response.headers['x-dgp-attempts'], 'dead=connect_error;ok=200', 'a transport error is not retried on the same endpoint (Pixiu)');

  const alone = await proxyHarness([{ id: 'dead', to: dead }]);
  t.teardown(() => alone.close());
  const c2 = await alone.run();
  t.equal(c2.response.status, 503);
  t.equal(c2.errors[0]?.code, 'DGP_ERR_UPSTREAM_UNAVAILABLE');
  t.match(c2.errors[0]?.message, new RegExp(`endpoint \\[dead\\] retry: request error: ECONNREFUSED`));
  t.equal(c2.response.headers['x-dgp-attempts'], 'dead=connect_error');
});

t.test('reset before headers falls back; with retry_on without reset it does not', async (t) => {
  const [a, b] = await Promise.all([FakeUpstream.start({ behaviour: 'rst-headers' }), FakeUpstream.start()]);
  const h = await proxyHarness([{ id: 'a', to: a, llm: { fallback: true } }, { id: 'b', to: b }]);
  t.teardown(async () => (await h.close(), await Promise.all([a.close(), b.close()])));
  const ctx = await h.run();
  t.equal(ctx.response.headers['x-dgp-attempts'], 'a=network_error;b=200');

  const strict = await proxyHarness([{ id: 'a', to: a, llm: { fallback: true } }, { id: 'b', to: b }], { retry_on: [503] });
  t.teardown(() => strict.close());
  const c2 = await strict.run();
  t.equal(c2.response.status, 503);
  t.equal(c2.response.headers['x-dgp-attempts'], 'a=network_error');
  t.equal(b.requests.length, 1, 'no fallback for a failure retry_on does not list');
});

t.test('an empty event stream is a retryable 502 (property 6)', async (t) => {
  const [a, b] = await Promise.all([FakeUpstream.start({ behaviour: 'empty-sse' }), FakeUpstream.start({ behaviour: 'sse:2:0' })]);
  const h = await proxyHarness([{ id: 'a', to: a, llm: { fallback: true } }, { id: 'b', to: b }]);
  t.teardown(async () => (await h.close(), await Promise.all([a.close(), b.close()])));
  const ctx = await h.run();
  t.equal(ctx.response.status, 200);
  t.equal(ctx.response.headers['x-dgp-attempts'], 'a=empty_stream;b=200');
  h.filter.onComplete(ctx);

  const alone = await proxyHarness([{ id: 'a', to: a, llm: { retry_policy: countBased(1) } }]);
  t.teardown(() => alone.close());
  const at = performance.now();
  const c2 = await alone.run();
  t.equal(c2.response.status, 502);
  t.equal(c2.errors[0]?.code, 'DGP_ERR_UPSTREAM_EMPTY');
  t.equal(c2.response.headers['x-dgp-attempts'], 'a=empty_stream;a=empty_stream', 'retried on the same endpoint like a status');
  t.ok(performance.now() - at < 2000, 'no hang');
});

t.test('Retry-After is honoured before retrying the same endpoint (property 15)', async (t) => {
  const up = await FakeUpstream.start();
  up.enqueue('status:429:1', 'json');
  const h = await proxyHarness([{ id: 'a', to: up, llm: { retry_policy: countBased(1) } }]);
  t.teardown(async () => (await h.close(), await up.close()));
  const ctx = await h.run();
  t.equal(ctx.response.status, 200);
  const gap = up.requests[1]!.receivedAt - up.requests[0]!.receivedAt;
  t.ok(gap >= 990, `second attempt ${gap.toFixed(0)} ms after the first`);
});

t.test('a Retry-After beyond max_retry_after skips to the next endpoint at once', async (t) => {
  const [a, b] = await Promise.all([FakeUpstream.start({ behaviour: 'status:429:120' }), FakeUpstream.start()]);
  const h = await proxyHarness([{ id: 'a', to: a, llm: { fallback: true, retry_policy: countBased(2) } }, { id: 'b', to: b }], { max_retry_after: '5s' });
  t.teardown(async () => (await h.close(), await Promise.all([a.close(), b.close()])));
  const at = performance.now();
  const ctx = await h.run();
  t.equal(ctx.response.headers['x-dgp-attempts'], 'a=429;b=200');
  t.ok(performance.now() - at < 3000, 'did not wait');

  const ignoring = await proxyHarness([{ id: 'a', to: a, llm: { retry_policy: countBased(1) } }], { respect_retry_after: false });
  t.teardown(() => ignoring.close());
  const c2 = await ignoring.run();
  t.equal(c2.response.headers['x-dgp-attempts'], 'a=429;a=429', 'respect_retry_after: false retries at once');
});

t.test('fallback follows the flag of the endpoint being left, in list order (Pixiu)', async (t) => {
  const [a, b, c] = await Promise.all([FakeUpstream.start({ behaviour: 'status:503' }), FakeUpstream.start({ behaviour: 'status:503' }), FakeUpstream.start()]);
  const h = await proxyHarness([
    { id: 'a', to: a, llm: { fallback: true } },
    { id: 'b', to: b, llm: { fallback: false } },
    { id: 'c', to: c },
  ]);
  t.teardown(async () => (await h.close(), await Promise.all([a.close(), b.close(), c.close()])));
  const ctx = await h.run();
  t.equal(ctx.response.headers['x-dgp-attempts'], 'a=503;b=503', 'b has fallback: false, so c is never tried');
  t.equal(ctx.response.status, 503);
});

t.test('no cluster, and no healthy endpoint', async (t) => {
  const up = await FakeUpstream.start();
  const h = await proxyHarness([{ id: 'a', to: up, unhealthy: true }]);
  t.teardown(async () => (await h.close(), await up.close()));
  const ctx = await h.run();
  t.equal(ctx.response.status, 503);
  t.match(ctx.errors[0], { code: 'DGP_ERR_UPSTREAM_UNAVAILABLE', message: /all retries and fallbacks failed without a definitive error or response/ });
  t.equal(ctx.response.headers['x-dgp-attempts'], undefined);
  const missing = await h.run({ cluster: 'nope' });
  t.match(missing.errors[0], { code: 'DGP_ERR_UPSTREAM_NO_CLUSTER', status: 503 });
  t.equal(up.requests.length, 0);
});

t.test('a bad retry policy skips the endpoint with Pixiu message and falls back', async (t) => {
  const [a, b] = await Promise.all([FakeUpstream.start(), FakeUpstream.start()]);
  const h = await proxyHarness([{ id: 'a', to: a, llm: { fallback: true, retry_policy: { name: 'Fancy', config: {} } } }, { id: 'b', to: b }]);
  t.teardown(async () => (await h.close(), await Promise.all([a.close(), b.close()])));
  const ctx = await h.run();
  t.equal(ctx.response.status, 200);
  t.equal(ctx.response.headers['x-dgp-attempts'], 'b=200');
  t.equal(a.requests.length, 0);
});
