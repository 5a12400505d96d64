// The process logger: pino JSON to stdout, with secrets redacted in every line (authorization, x-api-key, api_key).
// Lines to stdout are batched: many share one write, flushed at least every 100 ms and on exit.
import { writeSync } from 'node:fs';
import { pino, type Logger, type LevelWithSilent } from 'pino';
import { prettyDestination } from './pretty.js';

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
  // AWS credentials of bedrock endpoints (llm_meta.options, plugin config).
  '*.secret_access_key',
  '*.session_token',
  '*.*.secret_access_key',
  '*.*.session_token',
  '*.*.*.secret_access_key',
  '*.*.*.session_token',
  '*.bearer_token',
  '*.*.bearer_token',
  '*.*.*.bearer_token',
];

/** Marks loggers whose lines have the shape createLogger gives them (see access-log.ts); children inherit it. */
export const HOST_FORMAT = Symbol('dgp.logger.hostFormat');

export interface LoggerOptions {
  level?: LevelWithSilent;
  /** Where lines go; defaults to stdout. Tests pass a stream to read the lines. */
  destination?: NodeJS.WritableStream;
  /**
   * Bytes gathered before one write to stdout (default 32768; 0 writes every line at once). Only for the default
   * destination. One write per access line cost ~8% of the CPU at load, and sonic-boom's own batching (a byte count
   * and a string append per line) 3.7 µs a line; this batch costs well under 1 µs (docs/performance.md).
   */
  bufferBytes?: number;
  /** Longest time a buffered line waits under low traffic, ms (default 100). Lines are also flushed on exit. */
  flushIntervalMs?: number;
  /** `pretty`: readable lines for a terminal (development); `json` (default): one JSON object per line. */
  format?: 'json' | 'pretty';
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const bufferBytes = opts.bufferBytes ?? 32 * 1024;
  // pino flushes its own destination synchronously on process exit; the batch in front of it is flushed first.
  const destination =
    opts.destination ??
    (opts.format === 'pretty'
      ? prettyDestination(process.stdout)
      : bufferBytes > 0
      ? new LineBatch(pino.destination({ dest: 1, sync: false, minLength: 0, contentMode: 'buffer' }) as unknown as SonicLike, bufferBytes, opts.flushIntervalMs ?? 100)
      : pino.destination({ dest: 1, sync: false, minLength: 0 }));
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

interface SonicLike {
  /** sonic-boom's file descriptor (-1 until open). */
  readonly fd?: number;
  write(data: Buffer): boolean;
  flush(cb?: (err?: Error) => void): void;
  flushSync(): void;
}

const PAUSE = new Int32Array(new SharedArrayBuffer(4));

/** Batches alive in this process, flushed on exit before pino's own exit flush of their destination. */
const liveBatches = new Set<LineBatch>();
let exitHookInstalled = false;

/**
 * Lines encoded into one buffer as they come and handed to the destination (sonic-boom in buffer mode) once `limit`
 * bytes are waiting, or `intervalMs` after the first line of a batch, and always on process exit (nothing logged
 * before exit is lost). Encoding each line at once lets its string die young; holding the strings for a batched
 * join kept them alive across collections. Memory is bounded by the destination.
 */
export class LineBatch {
  #buf: Buffer;
  #used = 0;
  #timer: NodeJS.Timeout | undefined;
  readonly #onTimer = (): void => {
    this.#timer = undefined;
    this.flushBatch();
  };

  constructor(
    private readonly dest: SonicLike,
    private readonly limit: number,
    private readonly intervalMs: number,
  ) {
    this.#buf = Buffer.allocUnsafe(limit * 2);
    liveBatches.add(this);
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      // Prepended: it must run before sonic-boom's own exit flush (pino registers that one first).
      process.prependListener('exit', () => {
        for (const b of liveBatches) b.flushSync();
      });
    }
  }

  write(line: string): boolean {
    // At most 3 bytes per UTF-16 unit: a line that might not fit goes after the batch, or alone when it is that big.
    if (this.#used + line.length * 3 > this.#buf.length) {
      this.flushBatch();
      if (line.length * 3 > this.#buf.length) {
        this.dest.write(Buffer.from(line, 'utf8'));
        return true;
      }
    }
    this.#used += this.#buf.write(line, this.#used, 'utf8');
    if (this.#used >= this.limit) this.flushBatch();
    else if (this.#timer === undefined) {
      this.#timer = setTimeout(this.#onTimer, this.intervalMs);
      this.#timer.unref();
    }
    return true;
  }

  /** Hands the waiting lines to the destination (which writes them asynchronously). */
  flushBatch(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    if (this.#used === 0) return;
    const out = this.#buf.subarray(0, this.#used);
    // The destination keeps the bytes until written: the next batch gets a buffer of its own.
    this.#buf = Buffer.allocUnsafe(this.limit * 2);
    this.#used = 0;
    this.dest.write(out);
  }

  /** pino's logger.flush(cb). */
  flush(cb?: (err?: Error) => void): void {
    this.flushBatch();
    this.dest.flush(cb);
  }

  /**
   * On exit: what the destination still holds first, then this batch, both written synchronously. Handing the batch
   * to the destination would start an asynchronous write that the exiting process may never finish.
   */
  flushSync(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    try {
      this.dest.flushSync();
    } catch {
      // not open yet or already closed: nothing more can be written
    }
    const fd = this.dest.fd;
    if (this.#used === 0 || typeof fd !== 'number' || fd < 0) {
      this.flushBatch();
      return;
    }
    let out = this.#buf.subarray(0, this.#used);
    this.#used = 0;
    for (let tries = 0; out.length > 0 && tries < 1000; tries++) {
      try {
        out = out.subarray(writeSync(fd, out));
      } catch (err) {
        // A non-blocking pipe that is full: wait a millisecond for the reader, a bounded number of times.
        if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') return;
        Atomics.wait(PAUSE, 0, 0, 1);
      }
    }
  }
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
const SECRET_KEY = /^(authorization|api[_-]?key|private_key|service_account_json|x-api-key|x-goog-api-key|password|token|secret|key|master_key|hs256_secret|hmac_secret|(aws_)?secret_access_key|(aws_)?session_token|x-amz-security-token|bearer_token)$/i;

/** True for a field name whose value must never be logged (the same names redactDeep censors). */
export function isSecretKey(name: string): boolean {
  return SECRET_KEY.test(name);
}
