// dgp-gateway as a benchmark target: writes a conf.yaml with the default LLM chain (tokenizer + proxy, access log
// and metrics on) pointing at the mock over plain http — optionally behind the keys filter, whose key carries a
// budget so every request is held and settled (counters in memory, or in Redis), or with dgp.filter.llm.ratelimit on
// the memory store or Redis in front, or the whole governance chain (dgp-gov) — and starts `node dist/core/cli.js start` as a child whose log lines go to /dev/null.
// Also tells whether `dgp start --workers` exists yet.
import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnChild, type Child } from '../lib/children.js';
import { makeTempDir } from '../lib/temp.js';
import { freePorts, waitForHttp } from '../lib/net.js';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const CLI = join(REPO, 'dist/core/cli.js');

/** The keys filter in front of the default chain: the benchmark's client key with a budget, counters in `redisPort`'s Redis or in memory. */
export interface KeysTarget {
  redisPort?: number;
  /** false: the bench key carries no budget (identity only: no hold, no settle). */
  budget?: boolean;
}

function keysFilter(k: KeysTarget): string {
  const counters = k.redisPort === undefined ? '' : '\n                    budgets: {counter_store: counters}';
  return `
                - name: dgp.filter.llm.keys
                  config:${counters}
                    keys:
                      - {key: ${BENCH_KEY}, alias: bench${k.budget === false ? '' : ', max_budget_usd: 1000000, budget_duration: 1mo'}}`;
}

/** The key the load generator sends (bench/load/bodies.ts). */
const BENCH_KEY = 'sk-bench-dummy';

/**
 * The rate limiter as the bench measures it: one rule with a requests, a tokens and a concurrency limit, so every
 * request estimates its tokens, admits three cells, and reconciles and releases them at its end; limits never reached.
 */
function limiterFilter(l: true | { redisPort: number }, headers = true): string {
  const store = (l === true ? '' : '\n                    store: counters') + (headers ? '' : '\n                    response_headers: false');
  return `
                - name: dgp.filter.llm.ratelimit
                  config:${store}
                    rules:
                      - {scope: ip, requests: {per_minute: 1000000000}, tokens: {per_minute: 1000000000000}, concurrency: 100000}`;
}

/**
 * Guardrails as the bench measures them: the PII pack redacting the prompt and the answer, and secrets blocking the
 * answer, so every request is scanned on the way in and every answer (unary, or streamed through the hold-back window)
 * on the way out.
 */
const GUARDRAILS = `
                - name: dgp.filter.ai.guardrails
                  config:
                    input:
                      - {check: pii, entities: [email, phone, card, iban, ssn, ip, vn_citizen_id], action: redact}
                    output:
                      - {check: pii, entities: [email, phone, card, iban, ssn, ip, vn_citizen_id], action: redact}
                      - {check: secrets, action: block}
                    stream_holdback_chars: 256`;

/** The audit target: the default chain with one record per request to a rotating JSONL file (HMAC prompt hash on). */
export const AUDIT_FILE = `audit:
  sinks: [ { type: file, path: ./audit/audit.jsonl, max_bytes: 67108864, max_files: 2 } ]
  hmac_secret: bench-audit-secret-0123456789
`;

/** The tracing targets: OTLP/HTTP to the mock (which answers 200 to any POST; its CPU is not counted), sampled at `ratio`. */
export function tracingConf(upstreamPort: number, ratio: number): string {
  return `tracing:
  enabled: true
  exporter: { endpoint: http://127.0.0.1:${upstreamPort}/v1/traces }
  sampler: { ratio: ${ratio} }
`;
}

/** The response cache as the bench measures it: scope global (no keys filter), coalescing off so misses stay misses. */
const CACHE = `
                - name: dgp.filter.llm.cache
                  config: {scope: global, coalesce: false}`;

/** Which filters a bench gateway runs in front of the tokenizer and proxy, and extra top-level YAML. */
export interface ChainOptions {
  keys?: KeysTarget;
  /** true: the memory store; with a port: the counters in that Redis. */
  limiter?: boolean | { redisPort: number };
  guardrails?: boolean;
  cache?: boolean;
  /** false: the limiter writes no rate-limit headers on answers. */
  limiterHeaders?: boolean;
  /** The endpoint carries a server-side api_key (as the keys target's does) without the keys filter. */
  upstreamKey?: boolean;
  extra?: string;
}

/** The chains the A/B tools (cpu-ab.ts, alloc-count.ts) run by name; dgp-upkey: an endpoint api_key without the keys filter. */
export const AB_CHAINS: Readonly<Record<string, ChainOptions>> = { dgp: {}, 'dgp-keys': { keys: {} }, 'dgp-keys-nobudget': { keys: { budget: false } }, 'dgp-limiter': { limiter: true }, 'dgp-limiter-noheaders': { limiter: true, limiterHeaders: false }, 'dgp-guardrails': { guardrails: true }, 'dgp-upkey': { upstreamKey: true } };

export function gatewayConf(port: number, adminPort: number, upstreamPort: number, o: ChainOptions = {}): string {
  const { keys, limiter = false, guardrails = false, cache = false, extra = '' } = o;
  const redisPort = keys?.redisPort ?? (typeof limiter === 'object' ? limiter.redisPort : undefined);
  const adapters = redisPort === undefined ? '' : `
  adapters:
    - {id: counters, name: dgp.adapter.store.redis, config: {url: "redis://127.0.0.1:${redisPort}", key_prefix: "bench:"}}`;
  return `# Generated by bench/targets/dgp.ts: the default LLM chain in front of the benchmark's mock upstream.
static_resources:${adapters}
  listeners:
    - name: bench
      protocol_type: HTTP
      address: {socket_address: {address: 127.0.0.1, port: ${port}}}
      filter_chains:
        filters:
          - name: dgp.filter.httpconnectionmanager
            config:
              route_config:
                routes:
                  - match: {prefix: /v1/}
                    route: {cluster: mock}
              http_filters:${keys === undefined ? '' : keysFilter(keys)}${limiter ? limiterFilter(limiter, o.limiterHeaders !== false) : ''}${guardrails ? GUARDRAILS : ''}${cache ? CACHE : ''}
                - name: dgp.filter.llm.tokenizer
                  config: {}
                - name: dgp.filter.llm.proxy
                  config:
                    scheme: http
                    timeout: 60s
  clusters:
    - name: mock
      lb_policy: RoundRobin
      endpoints:
        - id: mock
          socket_address: {address: 127.0.0.1, port: ${upstreamPort}}
          llm_meta:
            provider: openai${keys === undefined && !o.upstreamKey ? '' : '\n            api_key: sk-bench-upstream'}
  shutdown_config:
    timeout: 2s
metric:
  enable: true
admin:
  address: 127.0.0.1
  port: ${adminPort}
log:
  level: info
  access_log: true
${extra}`;
}

/** `dgp start --help` names --workers once multi-core mode exists; until then the harness skips that target. */
export function workersSupported(): boolean {
  const r = spawnSync(process.execPath, [CLI, 'start', '--help'], { encoding: 'utf8', timeout: 15_000 });
  return /--workers\b/.test(`${r.stdout}${r.stderr}`);
}

export interface StartedGateway {
  child: Child;
  origin: string;
  configDir: string;
}

/** `cli`/`cwd`: another build's dist/core/cli.js and checkout (the dgp-base target); default: this checkout. */
export async function startGateway(name: string, upstreamPort: number, opts: ChainOptions & { workers?: number; nodeFlags?: string[]; env?: NodeJS.ProcessEnv; cli?: string; cwd?: string } = {}): Promise<StartedGateway> {
  const configDir = await makeTempDir(`dgp-bench-${name}-`);
  const [port, adminPort] = (await freePorts(2)) as [number, number];
  await writeFile(join(configDir, 'conf.yaml'), gatewayConf(port, adminPort, upstreamPort, opts));
  const args = [...(opts.nodeFlags ?? []), opts.cli ?? CLI, 'start', '--config-dir', configDir, ...(opts.workers ? ['--workers', String(opts.workers)] : [])];
  const child = spawnChild(name, process.execPath, args, { cwd: opts.cwd ?? REPO, ...(opts.env ? { env: opts.env } : {}) });
  const origin = `http://127.0.0.1:${port}`;
  await waitForHttp(origin, 30_000, () => `${name}: ${child.stderrTail()}`);
  // The listener answers 503 until its filter chain is built (a Redis store still connecting): wait for /ready.
  await waitForHttp(`http://127.0.0.1:${adminPort}/ready`, 30_000, () => `${name} never became ready: ${child.stderrTail()}`, (s) => s === 200);
  return { child, origin, configDir };
}
