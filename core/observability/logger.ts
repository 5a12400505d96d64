// The process logger: pino JSON to stdout, with secrets redacted in every line (authorization, x-api-key, api_key).
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

export interface LoggerOptions {
  level?: LevelWithSilent;
  /** Where lines go; defaults to stdout. Tests pass a stream to read the lines. */
  destination?: NodeJS.WritableStream;
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  return pino(
    {
      level: opts.level ?? 'info',
      base: { pid: process.pid },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    (opts.destination ?? pino.destination({ dest: 1, sync: false })) as pino.DestinationStream,
  );
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
