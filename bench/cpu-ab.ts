// Out-of-process A/B by CPU time per request: each build's `dgp start` runs as its own process on the same conf.yaml
// (the default chain unless a config name is given), the load comes from this process, and the gateway's own CPU
// (utime+stime from /proc) is divided by the requests it served. Rounds alternate between builds so load elsewhere
// on the machine disturbs both alike; the report is each build's median CPU µs per request.
//   npx tsx bench/cpu-ab.ts --base /tmp/pre-layer[,/tmp/other-build…] [--variant 'label:--node-flag …'] [--requests 20000] [--rounds 5] [--stream] [--prof /tmp/prof]
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { UNARY_BODY, STREAM_BODY, JSON_HEADERS } from './load/bodies.js';
import { AB_CHAINS, startGateway, type StartedGateway } from './targets/dgp.js';
import { stopChild } from './lib/children.js';
import { pinRunner, pinTarget } from './lib/pin.js';

const { values } = parseArgs({ options: { base: { type: 'string' }, requests: { type: 'string', default: '20000' }, rounds: { type: 'string', default: '5' }, connections: { type: 'string', default: '16' }, stream: { type: 'boolean', default: false }, prof: { type: 'string' }, config: { type: 'string', default: 'dgp' }, configs: { type: 'string' }, variant: { type: 'string', multiple: true, default: [] }, pin: { type: 'boolean', default: false } } });
const N = Number(values.requests);
const BODY = values.stream ? STREAM_BODY : UNARY_BODY;
const chains = AB_CHAINS;
const chain = chains[values.config!]!;
// --configs dgp,dgp-keys,…: this build once per config (the load sends the bench key to dgp-keys).
const configs = (values.configs ?? '').split(',').filter((c) => c !== '');

// --pin: this load generator and (by inheritance) the mock on CPU 0, each gateway moved to CPU 1 once started.
if (values.pin) pinRunner();
const mock = spawn(process.execPath, ['bench/mock/mock-upstream.mjs'], { stdio: ['ignore', 'pipe', 'inherit'] });
const mockPort = await new Promise<number>((r) => mock.stdout.once('data', (d: Buffer) => r(Number(/:(\d+)/.exec(d.toString())![1]))));
// Whatever ends this run (an error, Ctrl-C), the mock goes with it.
process.on('exit', () => mock.kill());

function cpuMicros(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1e6) / 100;
}

async function drive(pool: Pool, n: number, label = 'this'): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next++ < n) {
      const r = await pool.request({ path: '/v1/chat/completions', method: 'POST', headers: label === 'dgp-keys' || (label === 'this' && values.config === 'dgp-keys') ? { ...JSON_HEADERS, authorization: 'Bearer sk-bench-dummy' } : JSON_HEADERS, body: BODY });
      if (r.statusCode !== 200) throw new Error(`status ${r.statusCode}: ${await r.body.text()}`);
      await r.body.dump();
    }
  };
  await Promise.all(Array.from({ length: Number(values.connections) }, worker));
}

const flags = values.prof ? ['--cpu-prof', `--cpu-prof-dir=${values.prof}`] : [];
const builds: Array<{ label: string; gw: StartedGateway; pool: Pool; samples: number[] }> = [];
const bases = (values.base ?? '').split(',').filter((d) => d !== '');
// --variant 'label:--a-node-flag --another': this build once more, with those node flags.
const variants = values.variant!.map((v) => [v.slice(0, v.indexOf(':')), undefined, v.slice(v.indexOf(':') + 1).split(' ').filter((f) => f !== '')] as const);
const runs = [['this', undefined, []] as const, ...variants, ...bases.map((d) => [d, d, []] as const), ...configs.map((c) => [c, undefined, []] as const)];
for (const [label, dir, extra] of runs) {
  const gw = await startGateway(`cpu-ab-${label.replace(/\W+/g, '-')}`, mockPort, { ...(chains[label] ?? chain), nodeFlags: [...flags, ...extra], ...(dir ? { cli: join(dir, 'dist/core/cli.js'), cwd: dir } : {}) });
  const pool = new Pool(gw.origin, { connections: Number(values.connections) });
  if (values.pin) pinTarget(gw.child.pid!);
  await drive(pool, 3000, label);
  builds.push({ label, gw, pool, samples: [] });
}
for (let round = 0; round < Number(values.rounds); round++) {
  for (const b of builds) {
    const before = cpuMicros(b.gw.child.pid!);
    const t = process.hrtime.bigint();
    await drive(b.pool, N, b.label);
    const wall = Number(process.hrtime.bigint() - t) / 1e9;
    b.samples.push((cpuMicros(b.gw.child.pid!) - before) / N);
    process.stderr.write(`round ${round} ${b.label}: ${b.samples.at(-1)!.toFixed(1)} µs/req, ${(N / wall).toFixed(0)} req/s\n`);
  }
}
const median = (a: number[]): number => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
// Each round's ratio to the first build (measured seconds apart) moves less with the machine than either figure alone.
const first = builds[0]!;
for (const b of builds) {
  const paired = b === first ? '' : `\t${median(b.samples.map((s, i) => s / first.samples[i]!)).toFixed(3)}× ${first.label} (median of round ratios)`;
  console.log(`${b.label}\t${median(b.samples).toFixed(1)} µs/req CPU (median of ${b.samples.length})${paired}`);
}
for (const b of builds) { await b.pool.close(); await stopChild(b.gw.child); }
mock.kill();
