// Turns the validated config into runtime options: durations to ms, the scheme check Pixiu makes in Apply(), retry_on
// parsed, the CA file read. Defaults are applied here too, so create() works on a config the host did not default.
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { resolve } from 'node:path';
import { DgpError, parseDuration } from '../../../core/index.js';
import { resolveRetryBudget, type RetryBudgetOptions } from './retry-budget.js';
import { parseRetryOn, type RetryOn } from './retry-on.js';
import { DEFAULT_RETRY_ON, type ProxyConfig } from './schema.js';

export const KIND = 'dgp.filter.llm.proxy';
const DEFAULT_FIRST_BYTE_MS = 300_000;
const DEFAULT_SSE_KEEPALIVE_MS = 15_000;
const MAX_TIMER_MS = 2_147_483_647;

export interface ProxyOptions {
  scheme: 'http' | 'https';
  /** Max sockets per origin; 0 = unlimited. */
  connections: number;
  connectTimeout: number;
  /** Per-attempt time to response headers; 0 = none. */
  firstByteTimeout: number;
  idleTimeout: number;
  /** Total budget of the exchange; 0 = none. */
  deadline: number;
  keepAliveTimeout: number;
  /** Quiet time of a client event stream before a keep-alive comment; 0 = off. */
  sseKeepAlive: number;
  retryOn: RetryOn;
  respectRetryAfter: boolean;
  maxRetryAfter: number;
  /** Root store plus the extra CA file; undefined = Node's default roots. */
  ca: string[] | undefined;
  attemptsHeader: boolean;
  /** Fallback past the end of the endpoint list wraps to its start (false: Pixiu's forward-only walk). */
  fallbackWrap: boolean;
  /** Configured secrets redacted from upstream answers (each endpoint's key is added per attempt). */
  redact: readonly string[];
  retryBudget: RetryBudgetOptions;
}

const configError = (message: string, cause?: unknown): DgpError =>
  new DgpError('DGP_ERR_PLUGIN_CONFIG', `${KIND}: ${message}`, { cause, hint: 'see filters/llm/proxy/README.md' });

function ms(value: string | number | undefined, field: string, def: number): number {
  if (value === undefined) return def;
  try {
    return parseDuration(value, field);
  } catch (err) {
    throw configError(`${field}: ${(err as Error).message}`, err);
  }
}

/** Pixiu Apply(): scheme = lower(trim(scheme)), which must be http or https. */
export function normalizeScheme(value: unknown): 'http' | 'https' | undefined {
  const s = typeof value === 'string' ? value.trim().toLowerCase() : '';
  return s === 'http' || s === 'https' ? s : undefined;
}

export function resolveProxyOptions(config: Readonly<ProxyConfig>, configDir: string): ProxyOptions {
  const scheme = normalizeScheme(config.scheme ?? 'http');
  if (scheme === undefined) throw configError('scheme must be http or https');
  const timeout = ms(config.timeout, 'timeout', 0);
  let retryOn: RetryOn;
  try {
    retryOn = parseRetryOn(config.retry_on ?? DEFAULT_RETRY_ON);
  } catch (err) {
    throw configError((err as Error).message, err);
  }
  let ca: string[] | undefined;
  if (config.ca_file !== undefined) {
    const file = resolve(configDir, config.ca_file);
    try {
      // Node's `ca` replaces the root store; keep the public roots so https providers still verify.
      ca = [...rootCertificates, readFileSync(file, 'utf8')];
    } catch (err) {
      throw configError(`ca_file: cannot read ${file}: ${(err as Error).message}`, err);
    }
  }
  return {
    scheme,
    connections: config.maxConnsPerHost ?? 0,
    connectTimeout: ms(config.connect_timeout, 'connect_timeout', 10_000),
    firstByteTimeout: ms(config.first_byte_timeout, 'first_byte_timeout', timeout > 0 ? timeout : DEFAULT_FIRST_BYTE_MS),
    idleTimeout: ms(config.idle_timeout, 'idle_timeout', 300_000),
    deadline: ms(config.deadline, 'deadline', 0),
    keepAliveTimeout: ms(config.keep_alive_timeout, 'keep_alive_timeout', 4_000),
    // setTimeout takes at most 2^31-1 ms; a longer delay would fire at once, every time.
    sseKeepAlive: Math.min(ms(config.sse_keepalive, 'sse_keepalive', DEFAULT_SSE_KEEPALIVE_MS), MAX_TIMER_MS),
    retryOn,
    respectRetryAfter: config.respect_retry_after ?? true,
    maxRetryAfter: ms(config.max_retry_after, 'max_retry_after', 10_000),
    ca,
    attemptsHeader: config.attempts_header ?? true,
    fallbackWrap: (config.fallback_order ?? 'wrap') === 'wrap',
    redact: config.redact ?? [],
    retryBudget: resolveRetryBudget(config.retry_budget),
  };
}
