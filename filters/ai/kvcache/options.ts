// Pixiu's ApplyDefaults and Validate (config.go, spec §2.6) turned into runtime options: durations in ms, every value
// <= 0 replaced by Pixiu's default, and Validate's checks (only when enabled) with Pixiu's messages. The schema
// catches the same mistakes at validation time; this runs again in create() for configs built in code.
import { isAbsolute, resolve } from 'node:path';
import { DgpError, parseDuration } from '../../../core/index.js';
import type { KvcacheConfig } from './schema.js';

export const KIND = 'dgp.filter.ai.kvcache';

export interface BreakerOptions {
  failureThreshold: number;
  recoveryTimeoutMs: number;
  halfOpenMaxCalls: number;
}
export interface RetryOptions {
  maxAttempts: number;
  baseBackoffMs: number;
  maxBackoffMs: number;
}
export interface StrategyOptions {
  enableCompression: boolean;
  enablePinning: boolean;
  enableEviction: boolean;
  memoryThreshold: number;
  loadThreshold: number;
  hotContentThreshold: number;
  pinInstanceId: string;
  pinLocation: string;
  compressInstanceId: string;
  compressLocation: string;
  compressMethod: string;
  evictInstanceId: string;
  evictLocation: string;
  evictApi: 'evict' | 'clear';
}
export interface PrefixOptions {
  blockSize: number;
  maxBlocks: number;
  loadFactor: number;
  maxEntries: number;
  ttlMs: number;
}

export interface KvcacheOptions {
  enabled: boolean;
  mode: 'lmcache' | 'prefix';
  tokenize: 'vllm' | 'local';
  vllmEndpoint: string;
  lmcacheEndpoint: string;
  defaultModel: string;
  requestTimeoutMs: number;
  lookupTimeoutMs: number;
  hotWindowMs: number;
  hotMaxRecords: number;
  hotMaxKeys: number;
  /** 0 = unlimited. */
  maxConnsPerHost: number;
  tokenCache: { enabled: boolean; maxSize: number; ttlMs: number };
  strategy: StrategyOptions;
  breaker: BreakerOptions;
  retry: RetryOptions;
  instanceMap: Readonly<Record<string, string>>;
  modelEncodings: Readonly<Record<string, string>>;
  defaultEncoding: string;
  prefix: PrefixOptions;
  maxBackgroundTasks: number;
}

type Dur = string | number | undefined;

/** ms of a duration; a negative one (Pixiu accepts it, then defaults it) comes back as -1. */
function ms(value: Dur, field: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number') return value;
  if (value.trim().startsWith('-')) return -1;
  try {
    return parseDuration(value, field);
  } catch (err) {
    throw configError([`${field}: ${(err as Error).message}`], err);
  }
}

const orDefault = (v: number | undefined, def: number): number => (v === undefined || v <= 0 ? def : v);

function configError(problems: string[], cause?: unknown): DgpError {
  return new DgpError('DGP_ERR_PLUGIN_CONFIG', `${KIND}: ${problems.join('; ')}`, { cause, hint: 'see docs/kvcache.md', details: { problems } });
}

/** Pixiu's Validate (config.go), messages kept: only when enabled, and only the checks Pixiu makes. */
export function validateKvcacheConfig(c: Readonly<KvcacheConfig>): string[] {
  if (c.enabled !== true) return [];
  const out: string[] = [];
  const lmcacheMode = (c.mode ?? 'lmcache') === 'lmcache';
  if (lmcacheMode && (c.tokenize ?? 'vllm') === 'vllm' && !c.vllm_endpoint?.trim()) out.push('[kvcache] vllm_endpoint is required when enabled');
  if (lmcacheMode && !c.lmcache_endpoint?.trim()) out.push('[kvcache] lmcache_endpoint is required when enabled');
  const neg = (v: number | undefined) => v !== undefined && v < 0;
  if (neg(ms(c.hot_window, 'hot_window'))) out.push('[kvcache] hot_window must be >= 0');
  if (neg(c.hot_max_records)) out.push('[kvcache] hot_max_records must be >= 0');
  if (neg(c.hot_max_keys)) out.push('[kvcache] hot_max_keys must be >= 0');
  if (neg(c.token_cache?.max_size)) out.push('[kvcache] token_cache.max_size must be >= 0');
  const s = c.cache_strategy ?? {};
  const ratio = (v: number | undefined) => v !== undefined && (v < 0 || v > 1);
  if (ratio(s.memory_threshold)) out.push('[kvcache] cache_strategy.memory_threshold must be between 0 and 1');
  if (ratio(s.load_threshold)) out.push('[kvcache] cache_strategy.load_threshold must be between 0 and 1');
  if (neg(s.hot_content_threshold)) out.push('[kvcache] cache_strategy.hot_content_threshold must be >= 0');
  if (neg(c.retry?.max_attempts)) out.push('[kvcache] retry.max_attempts must be >= 0');
  if (neg(ms(c.retry?.base_backoff, 'retry.base_backoff')) || neg(ms(c.retry?.max_backoff, 'retry.max_backoff'))) {
    out.push('[kvcache] retry backoff durations must be >= 0');
  }
  return out;
}

export function resolveKvcacheOptions(c: Readonly<KvcacheConfig>, configDir: string): KvcacheOptions {
  const problems = validateKvcacheConfig(c);
  if (problems.length > 0) throw configError(problems);
  const s = c.cache_strategy ?? {};
  const p = c.prefix ?? {};
  const abs = (v: string) => (v.endsWith('.json') && !isAbsolute(v) ? resolve(configDir, v) : v);
  return {
    enabled: c.enabled === true,
    mode: c.mode ?? 'lmcache',
    tokenize: c.tokenize ?? 'vllm',
    vllmEndpoint: (c.vllm_endpoint ?? '').trim().replace(/\/+$/, ''),
    lmcacheEndpoint: (c.lmcache_endpoint ?? '').trim().replace(/\/+$/, ''),
    defaultModel: c.default_model ?? '',
    requestTimeoutMs: orDefault(ms(c.request_timeout, 'request_timeout'), 2000),
    lookupTimeoutMs: orDefault(ms(c.lookup_routing_timeout, 'lookup_routing_timeout'), 50),
    hotWindowMs: orDefault(ms(c.hot_window, 'hot_window'), 300_000),
    hotMaxRecords: orDefault(c.hot_max_records, 300),
    hotMaxKeys: Math.max(0, c.hot_max_keys ?? 0),
    maxConnsPerHost: Math.max(0, c.max_conns_per_host ?? 0),
    tokenCache: {
      enabled: c.token_cache?.enabled === true,
      maxSize: Math.max(0, c.token_cache?.max_size ?? 0),
      ttlMs: Math.max(0, ms(c.token_cache?.ttl, 'token_cache.ttl') ?? 0),
    },
    strategy: {
      enableCompression: s.enable_compression === true,
      enablePinning: s.enable_pinning === true,
      enableEviction: s.enable_eviction === true,
      memoryThreshold: s.memory_threshold ?? 0,
      loadThreshold: s.load_threshold ?? 0,
      hotContentThreshold: s.hot_content_threshold ?? 0,
      pinInstanceId: s.pin_instance_id ?? '',
      pinLocation: s.pin_location ?? '',
      compressInstanceId: s.compress_instance_id ?? '',
      compressLocation: s.compress_location ?? '',
      compressMethod: s.compress_method || 'zstd',
      evictInstanceId: s.evict_instance_id ?? '',
      evictLocation: s.evict_location ?? 'LocalCPUBackend',
      evictApi: c.evict_api ?? 'evict',
    },
    breaker: {
      failureThreshold: orDefault(c.circuit_breaker?.failure_threshold, 5),
      recoveryTimeoutMs: orDefault(ms(c.circuit_breaker?.recovery_timeout, 'circuit_breaker.recovery_timeout'), 10_000),
      halfOpenMaxCalls: orDefault(c.circuit_breaker?.half_open_max_calls, 2),
    },
    retry: {
      maxAttempts: orDefault(c.retry?.max_attempts, 3),
      baseBackoffMs: orDefault(ms(c.retry?.base_backoff, 'retry.base_backoff'), 100),
      maxBackoffMs: orDefault(ms(c.retry?.max_backoff, 'retry.max_backoff'), 2000),
    },
    instanceMap: { ...(c.instance_map ?? {}) },
    modelEncodings: Object.fromEntries(Object.entries(c.model_encodings ?? {}).map(([k, v]) => [k, abs(v)])),
    defaultEncoding: abs(c.default_encoding ?? 'o200k_base'),
    prefix: {
      blockSize: orDefault(p.block_size, 64),
      maxBlocks: orDefault(p.max_blocks, 64),
      loadFactor: Math.max(0, p.load_factor ?? 0.25),
      maxEntries: orDefault(p.max_entries, 50_000),
      ttlMs: Math.max(0, ms(p.ttl, 'prefix.ttl') ?? 600_000),
    },
    maxBackgroundTasks: orDefault(c.max_background_tasks, 64),
  };
}
