// The process logger: pino JSON to stdout, with secrets redacted in every line (authorization, x-api-key, api_key).
// Lines to stdout are batched (issue 8): many share one write, flushed at least every 100 ms and on exit.
import { pino, type Logger, type LevelWithSilent } from 'pino';

/** Paths redacted wherever they appear (headers objects, configs, errors). */
export const REDACT_PATHS = [
  'authorization',
  'api_key',
  'apiKey',
  'password',
  '*.authorization',
  '*.api_key',
  '*.password',
  '*["x-api-key"]',
  '*["api-key"]',
  '*["x-goog-api-key"]',
  '*.*.authorization',
  '*.*["x-api-key"]',
  '*.*.api_key',
  '*.*.*.api_key',
];

/** Marks loggers whose lines have the shape createLogger gives them (see access-log.ts); children inherit it. */
export const HOST_FORMAT = Symbol('dgp.logger.hostFormat');

export interface LoggerOptions {
  level?: LevelWithSilent;
  /** Where lines go; defaults to stdout. Tests pass a stream to read the lines. */
  destination?: NodeJS.WritableStream;
  /**
   * Bytes gathered before one write to stdout (default 8192; 0 writes every line at once). Only for the default
   * destination. One write per access line cost ~8% of the CPU at load (docs/performance.md).
   */
  bufferBytes?: number;
  /** Longest time a buffered line waits under low traffic, ms (default 100). Lines are also flushed on exit. */
  flushIntervalMs?: number;
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const bufferBytes = opts.bufferBytes ?? 8192;
  // pino flushes its own destination synchronously on process exit, so a batch is never lost when the CLI exits.
  const destination =
    opts.destination ??
    pino.destination({ dest: 1, sync: false, minLength: bufferBytes, periodicFlush: bufferBytes > 0 ? (opts.flushIntervalMs ?? 100) : 0 });
  const log = pino(
    {
      level: opts.level ?? 'info',
      base: { pid: process.pid },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination as pino.DestinationStream,
  );
  Object.defineProperty(log, HOST_FORMAT, { value: true });
  return log;
}

let cachedSecond = NaN;
let cachedPrefix = '';

/**
 * pino's `isoTime` output (`,"time":"2026-01-02T03:04:05.678Z"`) without a Date and toISOString per line: the text up
 * to the second is cached, only the milliseconds change.
 */
export function isoTime(): string {
  const now = Date.now();
  const second = Math.floor(now / 1000);
  if (second !== cachedSecond) {
    cachedSecond = second;
    cachedPrefix = new Date(second * 1000).toISOString().slice(0, 20);
  }
  const ms = now - second * 1000;
  return `,"time":"${cachedPrefix}${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}Z"`;
}

/** Redacts secret-looking values inside a JSON-able object (for GET /config and diffs). */
export function redactDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactDeep);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = SECRET_KEY.test(k) && typeof v === 'string' && v !== '' ? '[redacted]' : redactDeep(v);
  }
  return out;
}
const SECRET_KEY = /^(authorization|api[_-]?key|x-api-key|x-goog-api-key|password|token|secret)$/i;

/** True for a field name whose value must never be logged (the same names redactDeep censors). */
export function isSecretKey(name: string): boolean {
  return SECRET_KEY.test(name);
}
