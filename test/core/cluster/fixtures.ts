// Shared builders for the core/cluster tests: config specs, hash sources, a seeded PRNG and a log capture.
import pino, { type Logger } from 'pino';
import type { HashSource, LlmMeta } from '../../../core/cluster-api.js';
import type { ClusterSpec, ConsistentSpec, EndpointSpec } from '../../../core/cluster/types.js';
import { DEFAULT_CONSISTENT } from '../../../core/cluster/types.js';

export function llm(overrides: Partial<LlmMeta> = {}): LlmMeta {
  return {
    provider: 'openai',
    api_key: '',
    fallback: true,
    health_check_interval: 60000,
    retry_policy: { name: 'NoRetry', config: {} },
    ...overrides,
  };
}

export type EndpointOverrides = Partial<EndpointSpec> & { address?: string; port?: number; domains?: string[] };

export function ep(overrides: EndpointOverrides = {}): EndpointSpec {
  const { address = '127.0.0.1', port = 8000, domains = [], ...rest } = overrides;
  return {
    id: '',
    name: '',
    socket_address: { address, port, domains },
    meta: {},
    unhealthy: false,
    llm_meta: undefined,
    ...rest,
  };
}

export function cluster(
  name: string,
  lb_policy: string,
  endpoints: EndpointSpec[],
  consistent: Partial<ConsistentSpec> = {},
): ClusterSpec {
  return { name, type: '', lb_policy, consistent: { ...DEFAULT_CONSISTENT, ...consistent }, health_checks: [], endpoints };
}

/** `n` endpoints e1..en on 127.0.0.1:9001.. */
export function endpoints(n: number, extra: (i: number) => EndpointOverrides = () => ({})): EndpointSpec[] {
  return Array.from({ length: n }, (_, i) => ep({ id: `e${i + 1}`, port: 9001 + i, ...extra(i) }));
}

export function src(method: string, url: string, headers: HashSource['headers'] = {}, json?: unknown): HashSource {
  return { method, url, headers, json };
}

/** mulberry32: a deterministic uniform [0, 1) source so distribution tests never depend on luck. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface LogLine {
  level: number;
  msg: string;
  cluster?: string;
  endpoint?: string;
  [k: string]: unknown;
}

/** A pino logger whose lines land in `lines` synchronously. */
export function captureLog(): { log: Logger; lines: LogLine[]; warnings: () => string[] } {
  const lines: LogLine[] = [];
  const log = pino({ level: 'debug' }, { write: (s: string) => void lines.push(JSON.parse(s) as LogLine) });
  return { log, lines, warnings: () => lines.filter((l) => l.level === 40).map((l) => l.msg) };
}
