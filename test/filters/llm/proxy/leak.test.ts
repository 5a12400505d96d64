// 1,000 requests with failing attempts leave no socket behind (issue 3; reliability property 43's counter pair):
// failed bodies are consumed, reset sockets dropped, abandoned streams destroyed; the pools drain to zero.
import t from 'tap';
import { drainBody } from '../../../helpers/request-context.js';
import { FakeUpstream } from '../../../helpers/fake-upstream.js';
import { closedPort, proxyHarness } from './helpers/setup.js';

const TOTAL = 1000;
const CONCURRENCY = 10;

const tcpHandles = (): number => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;

t.test(`${TOTAL} requests with failing attempts leave no open sockets`, async (t) => {
  const [flaky, resetter, good] = await Promise.all([
    FakeUpstream.start({ behaviour: 'status:503', fixed: true }),
    FakeUpstream.start({ behaviour: 'rst-headers', fixed: true }),
    FakeUpstream.start(),
  ]);
  const dead = await closedPort();
  const baseline = tcpHandles();
  const fallback = { fallback: true, health_check_interval: 0 };
  // Every request: refused, then 503 twice (bodies consumed), then a reset before headers, then the good endpoint,
  // which answers unary, a stream the client abandons after one chunk, or a stream cut mid-way (x-fake).
  // Every request walks every fallback here, 10 at a time: no retry budget, or most walks would stop early.
  const h = await proxyHarness(
    [
      { id: 'dead', to: dead, llm: fallback },
      { id: 'flaky', to: flaky, llm: { ...fallback, retry_policy: { name: 'CountBased', config: { times: 1 } } } },
      { id: 'resetter', to: resetter, llm: fallback },
      { id: 'good', to: good, llm: { health_check_interval: 0 } },
    ],
    { retry_budget: { budget_percent: 100 } },
  );
  const kinds = ['json', 'sse:50:0', 'sse-cut:2:0', 'json'];
  let failures = 0;
  for (let done = 0; done < TOTAL; done += CONCURRENCY) {
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async (_, k) => {
        const kind = kinds[(done + k) % kinds.length]!;
        const ctx = await h.run({ headers: { 'x-fake': kind } }, 'dead');
        const d = await drainBody(ctx, kind.startsWith('sse:') ? { stopAfter: 1 } : {});
        if (kind.startsWith('sse-cut') && d.error === undefined) failures++;
        if (ctx.response.headers['x-dgp-attempts'] !== 'dead=connect_error;flaky=503;flaky=503;resetter=network_error;good=200') failures++;
        h.filter.onComplete(ctx);
      }),
    );
  }
  t.equal(failures, 0, 'every request ended as scripted');
  t.equal(flaky.requests.length, 2 * TOTAL, 'flaky saw 2 attempts per request');
  t.equal(resetter.requests.length, TOTAL);
  t.equal(good.requests.length, TOTAL);
  for (const s of h.pools.stats()) t.match(s, { running: 0, pending: 0, queued: 0 }, `${s.origin} has nothing in flight`);
  const open = flaky.openConnections() + resetter.openConnections() + good.openConnections();
  t.ok(open <= 4 * CONCURRENCY, `${open} keep-alive sockets open (bounded by concurrency, not by request count)`);
  t.ok(flaky.connections.size <= 2 * CONCURRENCY, `flaky: ${flaky.connections.size} connections for ${2 * TOTAL} failed attempts (bodies consumed, sockets reused)`);
  t.ok(good.connections.size < TOTAL, `good used ${good.connections.size} connections for ${TOTAL} requests`);
  await h.close();
  await flaky.waitFor(() => flaky.openConnections() + resetter.openConnections() + good.openConnections() === 0, 3000, 'all upstream sockets closed');
  await flaky.waitFor(() => tcpHandles() <= baseline, 3000, 'no TCP handle left in the process');
  t.pass('no socket left');
  await Promise.all([flaky.close(), resetter.close(), good.close()]);
});
