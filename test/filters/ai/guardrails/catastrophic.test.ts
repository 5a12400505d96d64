// A user pattern that backtracks catastrophically, on a 200 KB prompt, cannot stall the gateway: it runs in the worker
// pool, its budget terminates the worker, and the event loop keeps serving other requests meanwhile — their latency
// and the event-loop delay are measured while the pathological request is in flight. On the event loop the pattern
// would never finish (2^200000 paths): the bounds below (1 s, under the 1.5 s budget) separate the two with room for
// a loaded machine.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import t from 'tap';
import { startGateway } from '../../../helpers/gateway.js';
import { metricValue } from '../../../e2e/providers/helpers.js';
import { ask, guardGatewayYaml, startPiecesUpstream } from './helpers.js';

const BUDGET_MS = 1500;

t.test('a catastrophic pattern on a 200 KB prompt is cut by its budget; other requests are served meanwhile', async (t) => {
  const up = await startPiecesUpstream({ pieces: ['ok'] });
  const gw = await startGateway(
    guardGatewayYaml(
      `                    input:
                      - { check: pii, action: redact }
                      - { check: deny, name: evil, patterns: ["^(a+)+$"], roles: [system], action: block, budget: ${BUDGET_MS}ms, fail: open }`,
      up.port,
    ),
  );
  t.teardown(async () => (await gw.close(), await up.close()));
  // Warm the worker: a cold worker's first task spends part of the budget loading.
  t.equal((await ask(gw.url(), 'openai', 'hi', false, { messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'hi' }] })).status, 200);

  const timeoutsBefore = await metricValue(gw, 'dgp_guardrail_errors_total', { rule: 'evil', reason: 'timeout', fail: 'open' });
  const evil = `${'a'.repeat(200 * 1024)}!`;
  const h = monitorEventLoopDelay({ resolution: 5 });
  h.enable();
  const started = performance.now();
  let bigDone = 0;
  const big = ask(gw.url(), 'openai', 'hi', false, { messages: [{ role: 'system', content: evil }, { role: 'user', content: 'summarise' }] }).then((r) => ((bigDone = performance.now()), r));
  await new Promise((r) => setTimeout(r, 200));
  // Sent together, so that on a loaded machine they still land inside the pattern's budget.
  const latencies = await Promise.all(
    Array.from({ length: 6 }, async (_, i) => {
      const t0 = performance.now();
      const s = await ask(gw.url(), 'anthropic', `ordinary request ${i}`, false);
      t.equal(s.status, 200);
      return performance.now() - t0;
    }),
  );
  const smallDone = performance.now();
  const r = await big;
  h.disable();
  t.equal(r.status, 200, 'fail open: the request went on when the budget ran out');
  t.ok(bigDone - started >= BUDGET_MS * 0.9 && bigDone - started < BUDGET_MS + 5000, `answered after its budget (${(bigDone - started).toFixed(0)} ms)`);
  t.ok(smallDone < bigDone, 'the ordinary requests were answered while the pattern ran');
  t.ok(Math.max(...latencies) < 1000, `ordinary requests took at most ${Math.max(...latencies).toFixed(0)} ms`);
  const maxMs = h.max / 1e6;
  t.ok(maxMs < 1000, `event-loop delay stayed at most ${maxMs.toFixed(1)} ms (a pattern on the loop: forever)`);
  t.equal(await metricValue(gw, 'dgp_guardrail_errors_total', { rule: 'evil', reason: 'timeout', fail: 'open' }), timeoutsBefore + 1);
});
