// Work per request that does not depend on how busy the machine is: the promises a gateway process creates and the
// bytes it allocates per request, for this build and others side by side. Each gateway runs `dgp start` with a fixed
// 16 MB young generation and --trace-gc, so every scavenge stands for 16 MB allocated; promises are counted by an
// async_hooks preload (bench/lib/promise-count-hook.mjs). CPU time per request on a busy machine varies by ±10%;
// these counts repeat to within one scavenge (~0.8 KB per request at 20,000 requests).
//   npx tsx bench/alloc-count.ts [--base /tmp/pre-layer,…] [--configs dgp,dgp-keys,dgp-limiter] [--stream] [--requests 20000]
// With --heap-prof <dir>, each gateway also samples its allocations over the measured requests (counts then include the
// profiler's own cost) and writes <dir>/<pid>.heapprofile; rank the sites with bench/heapprofile-summary.ts.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { JSON_HEADERS, STREAM_BODY, UNARY_BODY } from './load/bodies.js';
import { freePorts } from './lib/net.js';
import { AB_CHAINS, REPO, gatewayConf } from './targets/dgp.js';

const { values } = parseArgs({ options: { base: { type: 'string' }, configs: { type: 'string', default: 'dgp' }, stream: { type: 'boolean', default: false }, requests: { type: 'string', default: '20000' }, connections: { type: 'string', default: '16' }, 'heap-prof': { type: 'string' } } });
const CONNS = Number(values.connections);
const N = Number(values.requests);
const SEMI_MB = 16;
const HOOK = fileURLToPath(new URL('./lib/promise-count-hook.mjs', import.meta.url));
const HEAP_HOOK = fileURLToPath(new URL('./lib/heap-sample-hook.mjs', import.meta.url));

const mock = spawn(process.execPath, [join(REPO, 'bench/mock/mock-upstream.mjs')], { stdio: ['ignore', 'pipe', 'inherit'] });
const mockPort = await new Promise<number>((r) => mock.stdout!.once('data', (d: Buffer) => r(Number(/:(\d+)/.exec(d.toString())![1]))));
// Whatever ends this run (an error, Ctrl-C), the mock goes with it.
process.on('exit', () => mock.kill());

async function drive(pool: Pool, n: number, headers: Record<string, string>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next++ < n) {
      const r = await pool.request({ path: '/v1/chat/completions', method: 'POST', headers, body: values.stream ? STREAM_BODY : UNARY_BODY });
      if (r.statusCode !== 200) throw new Error(`status ${r.statusCode}: ${await r.body.text()}`);
      await r.body.dump();
    }
  };
  await Promise.all(Array.from({ length: CONNS }, worker));
}

interface Counts {
  promises: number;
  scavenges: number;
  /** Bytes of the young generation still alive when the scavenges ran (copied or promoted). */
  survived: number;
  /** Full (mark-compact) collections and their pause, ms. */
  majors: number;
  majorMs: number;
}

async function counts(gw: ChildProcess, out: { text: string }): Promise<Counts> {
  const from = out.text.length;
  gw.kill('SIGUSR2');
  for (let i = 0; i < 200 && !out.text.slice(from).includes('DGP_PROMISES'); i++) await new Promise((r) => setTimeout(r, 25));
  const m = /DGP_PROMISES (\d+)/.exec(out.text.slice(from));
  if (!m) throw new Error('the gateway did not report its promise count');
  let survived = 0;
  for (const g of out.text.matchAll(/ gc=s [^\n]*? new_space_survived=(\d+)/g)) survived += Number(g[1]);
  let majors = 0;
  let majorMs = 0;
  for (const g of out.text.matchAll(/pause=([\d.]+) [^\n]*? gc=mc /g)) {
    majors++;
    majorMs += Number(g[1]);
  }
  return { promises: Number(m[1]), scavenges: (out.text.match(/ gc=s /g) ?? []).length, survived, majors, majorMs };
}

async function heapProfileWritten(out: { text: string }): Promise<void> {
  for (let i = 0; i < 400 && !out.text.includes('DGP_HEAP_PROFILE written'); i++) await new Promise((r) => setTimeout(r, 25));
}

async function measure(label: string, dir: string, config: string): Promise<string> {
  const configDir = mkdtempSync(join(tmpdir(), 'dgp-alloc-'));
  const [port, adminPort] = (await freePorts(2)) as [number, number];
  writeFileSync(join(configDir, 'conf.yaml'), gatewayConf(port, adminPort, mockPort, AB_CHAINS[config] ?? {}));
  const args = [`--min-semi-space-size=${SEMI_MB}`, `--max-semi-space-size=${SEMI_MB}`, '--trace-gc', '--trace-gc-nvp', '--import', HOOK, ...(values['heap-prof'] ? ['--import', HEAP_HOOK] : []), join(dir, 'dist/core/cli.js'), 'start', '--config-dir', configDir];
  const env = values['heap-prof'] ? { ...process.env, DGP_HEAP_PROF_DIR: values['heap-prof'] } : process.env;
  const gw = spawn(process.execPath, args, { cwd: dir, env, stdio: ['ignore', 'pipe', 'ignore'] });
  const out = { text: '' };
  gw.stdout!.on('data', (d: Buffer) => (out.text += d.toString()));
  try {
    for (let i = 0; ; i++) {
      const ready = await fetch(`http://127.0.0.1:${adminPort}/ready`).then((r) => r.status === 200, () => false);
      if (ready) break;
      if (i > 300) throw new Error(`${label}: never became ready`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const pool = new Pool(`http://127.0.0.1:${port}`, { connections: CONNS });
    const headers = config === 'dgp-keys' ? { ...JSON_HEADERS, authorization: 'Bearer sk-bench-dummy' } : JSON_HEADERS;
    await drive(pool, 5000, headers);
    const a = await counts(gw, out);
    await drive(pool, N, headers);
    const b = await counts(gw, out);
    if (values['heap-prof']) await heapProfileWritten(out);
    await pool.close();
    const kb = ((b.scavenges - a.scavenges) * SEMI_MB * 1024) / N;
    const survivedKb = (b.survived - a.survived) / 1024 / N;
    return `| ${label} | ${config} | ${((b.promises - a.promises) / N).toFixed(1)} | ~${kb.toFixed(1)} | ${survivedKb.toFixed(2)} | ${b.majors - a.majors} (${(b.majorMs - a.majorMs).toFixed(0)} ms) |`;
  } finally {
    gw.kill();
  }
}

const rows = ['| build | config | promises per request | KB allocated per request | KB surviving a scavenge per request | full GCs (pause) |', '|---|---|--:|--:|--:|--:|'];
const builds: Array<[string, string]> = [['this', REPO], ...(values.base ?? '').split(',').filter((d) => d !== '').map((d): [string, string] => [d, d])];
for (const config of values.configs!.split(',')) for (const [label, dir] of builds) rows.push(await measure(label, dir, config));
mock.kill();
console.log(`${values.stream ? 'SSE' : 'Unary'} requests, ${N} measured after 5,000 of warm-up:\n${rows.join('\n')}`);
