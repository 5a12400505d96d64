// In-process A/B of gateway configs by CPU time per request: the gateways run in this process (dist/), the load
// generator too (its cost is the same for every config, so it cancels in the differences), the mock upstream is a
// child (not counted). Configs are measured in alternation, round after round, so a machine shared with other work
// disturbs every config alike; the report is the median CPU µs per request of each and its difference to the first.
//   npm run build && npx tsx bench/inproc-ab.ts [--requests 3000] [--rounds 6] [--connections 16] [--stream] dgp dgp-audit dgp-trace0 ...
// Configs: dgp, dgp-audit, dgp-trace0, dgp-trace100 (OTLP to the mock upstream, which answers any POST), dgp-keys, dgp-limiter, dgp-guardrails, dgp-cache (every request a hit: the
// warm-up fills the entry), dgp-cache-miss (Cache-Control: max-age=0, so every request keys, looks up, calls upstream,
// records and stores). A CPU profile of one config: node --import tsx --cpu-prof bench/inproc-ab.ts --rounds 2 dgp-cache
// Before/after a change in one run: --base <dir> names another built checkout (e.g. `git archive <commit> | tar -x -C
// <dir>`, node_modules linked, `npx tsc -p tsconfig.json` there); a config written base:<name> runs from that build:
//   npx tsx bench/inproc-ab.ts --base /tmp/before base:dgp dgp base:dgp-guardrails dgp-guardrails
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { UNARY_BODY, STREAM_BODY, JSON_HEADERS } from './load/bodies.js';
import { gatewayConf, tracingConf, AUDIT_FILE, type ChainOptions } from './targets/dgp.js';
import { startGateway, type TestGateway } from '../dist/core/testing/index.js';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { requests: { type: 'string', default: '3000' }, rounds: { type: 'string', default: '6' }, connections: { type: 'string', default: '16' }, stream: { type: 'boolean', default: false }, base: { type: 'string' } } });
const N = Number(values.requests);
const ROUNDS = Number(values.rounds);
const CONNS = Number(values.connections);
const BODY = values.stream ? STREAM_BODY : UNARY_BODY;

const mock = spawn(process.execPath, ['bench/mock/mock-upstream.mjs'], { stdio: ['ignore', 'pipe', 'inherit'] });
const mockPort = await new Promise<number>((resolve) => mock.stdout.once('data', (d: Buffer) => resolve(Number(/:(\d+)/.exec(d.toString())![1]))));

/** Request headers a config's load adds to every request. */
function headersOf(label: string): Record<string, string> {
  const name = label.replace(/^base:/, '');
  return name === 'dgp-cache-miss' ? { ...JSON_HEADERS, 'cache-control': 'max-age=0' } : { ...JSON_HEADERS };
}

function chain(name: string): ChainOptions {
  switch (name) {
    case 'dgp': return {};
    case 'dgp-audit': return { extra: AUDIT_FILE };
    case 'dgp-trace0': return { extra: tracingConf(mockPort, 0) };
    case 'dgp-trace100': return { extra: tracingConf(mockPort, 1) };
    case 'dgp-keys': return { keys: {} };
    case 'dgp-limiter': return { limiter: true };
    case 'dgp-guardrails': return { guardrails: true };
    case 'dgp-cache': case 'dgp-cache-miss': return { cache: true };
    default: throw new Error(`unknown config ${name}`);
  }
}

const names = positionals.length > 0 ? positionals : ['dgp', 'dgp-audit', 'dgp-trace0'];
const gws: Array<{ name: string; g: TestGateway; pool: Pool; headers: Record<string, string>; samples: number[] }> = [];
type Start = typeof startGateway;
const baseStart: Start | undefined = values.base === undefined ? undefined : ((await import(pathToFileURL(resolve(values.base, 'dist/core/testing/index.js')).href)) as { startGateway: Start }).startGateway;
for (const label of names) {
  const name = label.startsWith('base:') ? label.slice(5) : label;
  const start = label.startsWith('base:') ? baseStart : startGateway;
  if (start === undefined) throw new Error(`${label}: needs --base <dir>`);
  const yaml = gatewayConf(0, 0, mockPort, chain(name)).replace(/\nadmin:\n(  .*\n)+/, '\n').replace('access_log: true', 'access_log: false');
  const g = await start(yaml);
  gws.push({ name: label, g, pool: new Pool(g.url(), { connections: CONNS }), headers: headersOf(name), samples: [] });
}

async function load({ pool, headers }: { pool: Pool; headers: Record<string, string> }, n: number): Promise<void> {
  let left = n;
  const worker = async (): Promise<void> => {
    while (left-- > 0) {
      const r = await pool.request({ method: 'POST', path: '/v1/chat/completions', headers, body: BODY });
      await r.body.arrayBuffer();
      if (r.statusCode !== 200) throw new Error(`status ${r.statusCode}`);
    }
  };
  await Promise.all(Array.from({ length: CONNS }, worker));
}

for (const x of gws) await load(x, 500); // warm-up: JIT, pools, first price lookups
for (let r = 0; r < ROUNDS; r++) {
  for (const x of r % 2 === 0 ? gws : [...gws].reverse()) {
    if (typeof global.gc === 'function') global.gc();
    const c0 = process.cpuUsage();
    await load(x, N);
    const c = process.cpuUsage(c0);
    x.samples.push((c.user + c.system) / N);
  }
}
const median = (a: number[]): number => [...a].sort((p, q) => p - q)[Math.floor(a.length / 2)]!;
const base = median(gws[0]!.samples);
for (const x of gws) {
  const m = median(x.samples);
  console.log(`${x.name.padEnd(22)} ${m.toFixed(1).padStart(7)} µs/req (client included)  ${x === gws[0] ? '' : `${m - base >= 0 ? '+' : ''}${(m - base).toFixed(1)} µs`}  samples ${x.samples.map((s) => s.toFixed(0)).join(' ')}`);
}
for (const x of gws) {
  await x.pool.close();
  await x.g.close();
}
mock.kill();
