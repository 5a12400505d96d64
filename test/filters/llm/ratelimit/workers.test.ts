// `dgp start --workers 2` holds the same limit as one process: the memory store lives in the primary and both workers
// admit against it (100 requests on fresh connections, spread over both workers, against 20 per minute: exactly 20).
// With shared: false each worker counts on its own, and the same traffic gets more through: the control.
// Needs the compiled dist/ (npx tsc -p tsconfig.json).
import t from 'tap';
import type { TapTest } from '../../../helpers/conformance.js';
import { chat, postFresh, rlGatewayYaml, startGatewayProcess, startPacedOpenAi } from './helpers.js';

const RULE = '                    store: limits\n                    rules:\n                      - {scope: route, requests: {per_minute: 20}}';
const adapters = (shared: boolean) => `    - {id: limits, name: dgp.adapter.store.memory, config: {shared: ${shared}}}`;

async function run(t: TapTest, extra: string[], shared = true): Promise<{ admitted: number; refused: number; pids: number }> {
  const up = await startPacedOpenAi({ events: 1, intervalMs: 1, usage: { input: 3, output: 1 } });
  const gw = await startGatewayProcess(rlGatewayYaml({ provider: 'openai', port: up.port, ratelimit: RULE, adapters: adapters(shared) }), extra);
  t.teardown(async () => (await gw.stop(), await up.close()));
  const statuses = await Promise.all(Array.from({ length: 100 }, () => postFresh(gw.port, '/v1/chat/completions', chat())));
  // Access-log lines are written asynchronously by each worker: wait for all 100.
  for (let i = 0; i < 100 && gw.lines().filter((l) => l.type === 'access').length < 100; i++) await new Promise((r) => setTimeout(r, 20));
  const pids = new Set(gw.lines().filter((l) => l.type === 'access').map((l) => l.pid)).size;
  return { admitted: statuses.filter((s) => s === 200).length, refused: statuses.filter((s) => s === 429).length, pids };
}

t.test('one process: 20 of 100', async (t) => {
  const r = await run(t, []);
  t.same([r.admitted, r.refused], [20, 80]);
});

t.test('--workers 2 sharing the primary-hosted memory store: the same 20 of 100', async (t) => {
  const r = await run(t, ['--workers', '2']);
  t.equal(r.pids, 2, 'both workers answered requests');
  t.same([r.admitted, r.refused], [20, 80], 'the limit is the gateway\'s, not multiplied by the workers');
});

t.test('control: --workers 2 with shared: false counts per worker', async (t) => {
  const r = await run(t, ['--workers', '2'], false);
  t.equal(r.pids, 2);
  t.ok(r.admitted > 20 && r.admitted <= 40, `each worker admitted its own 20: ${r.admitted}`);
});
