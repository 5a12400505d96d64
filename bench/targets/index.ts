// Starts every target of a run side by side on loopback: the mock upstream, then each proxy in front of it. A
// target that cannot be installed, started or that answers wrongly is skipped with the reason printed.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { forkChild, waitForReady } from '../lib/children.js';
import type { BenchOptions } from '../lib/options.js';
import { pinTarget } from '../lib/pin.js';
import { makeTempDir } from '../lib/temp.js';
import type { RequestSpec, SkippedTarget, Target, TargetName } from '../lib/types.js';
import { JSON_HEADERS, STREAM_BODY, UNARY_BODY } from '../load/bodies.js';
import { timedRequest } from '../load/timed-request.js';
import { AUDIT_FILE, startGateway, tracingConf, workersSupported } from './dgp.js';
import { nginxVersion, startNginx } from './nginx.js';
import { redisVersion, startRedis } from './redis.js';
import { installPortkey, PORTKEY_VERSION, startPortkey } from './portkey.js';

const MOCK = fileURLToPath(new URL('../mock/mock-upstream.mjs', import.meta.url));
const BARE = fileURLToPath(new URL('./bare-proxy.mjs', import.meta.url));
const ELD_PROBE = new URL('./eld-probe.mjs', import.meta.url).href;
const PATH = '/v1/chat/completions';

export const LABELS: Record<TargetName, string> = {
  direct: 'direct to mock (ceiling)',
  bare: 'bare undici proxy (Node floor)',
  dgp: 'dgp-gateway',
  'dgp-keys': 'dgp-gateway + keys (budget, memory counters)',
  'dgp-keys-redis': 'dgp-gateway + keys (budget, Redis counters)',
  'dgp-limiter': 'dgp-gateway + memory rate limiter',
  'dgp-limiter-redis': 'dgp-gateway + rate limiter (Redis counters)',
  'dgp-guardrails': 'dgp-gateway + guardrails (PII pack on input and output)',
  'dgp-audit': 'dgp-gateway + audit (file sink)',
  'dgp-trace0': 'dgp-gateway + tracing at 0% sampling',
  'dgp-trace100': 'dgp-gateway + tracing at 100% sampling',
  'dgp-cache': 'dgp-gateway + response cache, every request a hit',
  'dgp-cache-miss': 'dgp-gateway + response cache, every request a miss',
  'dgp-gov': 'dgp-gateway + governance chain (keys, limits, cache miss, guardrails, audit, tracing 0%)',
  'dgp-workers': 'dgp-gateway --workers',
  'dgp-base': 'dgp-gateway, another build (--base)',
  portkey: `Portkey ${PORTKEY_VERSION}`,
  nginx: 'nginx',
};

export interface Started {
  targets: Target[];
  skipped: SkippedTarget[];
  /** Where dgp's .cpuprofile files go (with --cpu-prof). */
  profileDir: string | undefined;
}

/** One unary and one streamed request must come back right before a target is measured. */
async function check(req: RequestSpec): Promise<string | undefined> {
  const pool = new Pool(req.origin, { connections: 1 });
  try {
    for (const [body, stream] of [[UNARY_BODY, false], [STREAM_BODY, true]] as const) {
      const t = await timedRequest(pool, req.path, req.headers, body, stream, 15_000);
      if (!t.ok) return `${stream ? 'a streamed' : 'a unary'} request failed: ${t.error}`;
    }
    return undefined;
  } finally {
    await pool.close();
  }
}

export async function startTargets(opts: BenchOptions, say: (line: string) => void, profileDir: string | undefined): Promise<Started> {
  const targets: Target[] = [];
  const skipped: SkippedTarget[] = [];
  const want = new Set(opts.targets);
  const mock = forkChild('mock upstream', MOCK, ['--latency', String(opts.latencyMs), '--chunk-gap', String(opts.chunkGapMs)]);
  const { port: mockPort } = await waitForReady<{ ready: true; port: number }>(mock, 10_000);
  // The slow scenario reads bare's and dgp's event-loop delay from a probe preloaded into each (both pay its cost).
  const probeDir = opts.scenarios.includes('slow') ? await makeTempDir('dgp-bench-eld-') : undefined;
  const probe = (name: TargetName) => (probeDir ? { flags: ['--expose-gc', '--import', ELD_PROBE], eldFile: join(probeDir, `${name}.jsonl`) } : undefined);
  const probeEnv = (p: ReturnType<typeof probe>) => (p ? { ...process.env, DGP_BENCH_ELD_FILE: p.eldFile } : undefined);
  const add = async (name: TargetName, start: () => Promise<{ pid: number; origin: string; headers?: Record<string, string>; notes?: string[] }>) => {
    if (!want.has(name)) return;
    try {
      const s = await start();
      // direct is the mock itself, which stays beside the load generator.
      if (opts.pin && name !== 'direct') pinTarget(s.pid);
      const request = { origin: s.origin, path: PATH, headers: { ...JSON_HEADERS, ...s.headers } };
      const bad = await check(request);
      if (bad) throw new Error(bad);
      const eldFile = probe(name)?.eldFile;
      targets.push({ name, label: LABELS[name], request, pid: s.pid, notes: s.notes ?? [], ...(eldFile && (name === 'bare' || name === 'dgp') ? { eldFile } : {}) });
      say(`${name}: ready at ${s.origin}`);
    } catch (err) {
      skipped.push({ name, label: LABELS[name], reason: (err as Error).message.split('\n')[0]!.slice(0, 300) });
      say(`${name}: skipped: ${(err as Error).message.split('\n')[0]}`);
    }
  };
  await add('direct', async () => ({ pid: mock.pid, origin: `http://127.0.0.1:${mockPort}` }));
  await add('bare', async () => {
    const p = probe('bare');
    const bare = forkChild('bare proxy', BARE, ['--upstream', `http://127.0.0.1:${mockPort}`], p?.flags ?? [], probeEnv(p));
    const { port } = await waitForReady<{ ready: true; port: number }>(bare, 10_000);
    return { pid: bare.pid, origin: `http://127.0.0.1:${port}` };
  });
  const nodeFlags = [...(profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : []), ...(process.env.DGP_BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? [])];
  await add('dgp', async () => {
    const p = probe('dgp');
    const env = probeEnv(p);
    const g = await startGateway('dgp', mockPort, { nodeFlags: [...nodeFlags, ...(p?.flags ?? [])], ...(env ? { env } : {}) });
    return { pid: g.child.pid, origin: g.origin, notes: profileDir ? [`--cpu-prof into ${profileDir}`] : [] };
  });
  await add('dgp-keys', async () => {
    const g = await startGateway('dgp-keys', mockPort, { keys: {}, nodeFlags });
    return { pid: g.child.pid, origin: g.origin, notes: ['keys filter first, one static key with a budget: every request held and settled in the memory store'] };
  });
  await add('dgp-keys-redis', async () => {
    const v = redisVersion();
    if (!v) throw new Error('redis-server is not on PATH (Debian package redis-server)');
    const redis = await startRedis();
    const g = await startGateway('dgp-keys-redis', mockPort, { keys: { redisPort: redis.port }, nodeFlags });
    return { pid: g.child.pid, origin: g.origin, notes: [`budget counters in redis-server ${v} on loopback (its CPU is not counted)`] };
  });
  await add('dgp-limiter', async () => {
    const g = await startGateway('dgp-limiter', mockPort, { nodeFlags, limiter: true });
    return { pid: g.child.pid, origin: g.origin, notes: ['default chain + dgp.filter.llm.ratelimit on the memory store: requests, tokens and concurrency cells per request, limits never reached'] };
  });
  await add('dgp-limiter-redis', async () => {
    const v = redisVersion();
    if (!v) throw new Error('redis-server is not on PATH (Debian package redis-server)');
    const redis = await startRedis();
    const g = await startGateway('dgp-limiter-redis', mockPort, { nodeFlags, limiter: { redisPort: redis.port } });
    return { pid: g.child.pid, origin: g.origin, notes: [`the dgp-limiter rule with its cells in redis-server ${v} on loopback (its CPU is not counted)`] };
  });
  await add('dgp-guardrails', async () => {
    const g = await startGateway('dgp-guardrails', mockPort, { nodeFlags, guardrails: true });
    return { pid: g.child.pid, origin: g.origin, notes: ['default chain + dgp.filter.ai.guardrails: the PII pack (7 entities) redacting the prompt and the answer, secrets blocking the answer, stream hold-back 256 characters'] };
  });
  await add('dgp-audit', async () => {
    const g = await startGateway('dgp-audit', mockPort, { nodeFlags, extra: AUDIT_FILE });
    return { pid: g.child.pid, origin: g.origin, notes: ['default chain + one audit record per request to a rotating JSONL file, prompt_hash HMAC on'] };
  });
  for (const [name, ratio] of [['dgp-trace0', 0], ['dgp-trace100', 1]] as const) {
    await add(name, async () => {
      const g = await startGateway(name, mockPort, { nodeFlags, extra: tracingConf(mockPort, ratio) });
      return { pid: g.child.pid, origin: g.origin, notes: [`default chain + tracing, sampler ratio ${ratio}, OTLP/HTTP protobuf to the mock (its CPU not counted)`] };
    });
  }
  await add('dgp-cache', async () => {
    const g = await startGateway('dgp-cache', mockPort, { nodeFlags, cache: true });
    return { pid: g.child.pid, origin: g.origin, notes: ['default chain + dgp.filter.llm.cache (in-process LRU): the first request fills the entry, every later one is a hit replayed in the client API'] };
  });
  await add('dgp-cache-miss', async () => {
    const g = await startGateway('dgp-cache-miss', mockPort, { nodeFlags, cache: true });
    // max-age=0: every lookup finds the entry too old, so each request keys, looks up, calls upstream, records and stores.
    return { pid: g.child.pid, origin: g.origin, headers: { 'cache-control': 'max-age=0' }, notes: ['default chain + dgp.filter.llm.cache (coalescing off), Cache-Control: max-age=0 on every request: a full miss each time'] };
  });
  await add('dgp-gov', async () => {
    const extra = `${AUDIT_FILE}${tracingConf(mockPort, 0)}`;
    const g = await startGateway('dgp-gov', mockPort, { nodeFlags, keys: {}, limiter: true, guardrails: true, cache: true, extra });
    // max-age=0 as for dgp-cache-miss: the cache keys, looks up, records and stores on every request.
    return { pid: g.child.pid, origin: g.origin, headers: { 'cache-control': 'max-age=0' }, notes: ['keys (budget, memory) → rate limits (memory) → guardrails (PII in and out, secrets out) → cache (miss: Cache-Control max-age=0) → tokenizer → proxy, audit to a file, tracing at 0%'] };
  });
  await add('dgp-workers', async () => {
    if (!workersSupported()) throw new Error('--workers not implemented yet (dgp start --help does not list it)');
    const g = await startGateway('dgp-workers', mockPort, { workers: opts.workers });
    return { pid: g.child.pid, origin: g.origin, notes: [`--workers ${opts.workers}`] };
  });
  await add('dgp-base', async () => {
    if (opts.base === undefined) throw new Error('needs --base <dir>: a built checkout of another commit');
    const cli = join(opts.base, 'dist/core/cli.js');
    const g = await startGateway('dgp-base', mockPort, { cli, cwd: opts.base, nodeFlags });
    return { pid: g.child.pid, origin: g.origin, notes: [`${cli}: the default chain, as dgp`] };
  });
  await add('portkey', async () => {
    const p = await startPortkey(await installPortkey(say), mockPort);
    return { pid: p.child.pid, origin: p.origin, headers: p.headers, notes: ['@hono/node-server 1.13.5', 'bound to 127.0.0.1 by bench/targets/loopback-only.mjs'] };
  });
  await add('nginx', async () => {
    const v = nginxVersion();
    if (!v) throw new Error('nginx is not on PATH');
    const n = await startNginx(mockPort);
    return { pid: n.child.pid, origin: n.origin, notes: [`nginx ${v}, 1 worker`] };
  });
  return { targets, skipped, profileDir };
}
