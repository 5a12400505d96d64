// The access-log line, written without pino's per-line machinery. Its fields are fixed by the host and hold no secret,
// yet pino ran every line through the wildcard redaction paths, a per-request child logger and its serialiser: ~16% of
// the gateway's CPU at load (docs/performance.md). The line has exactly the shape pino gives the same logger.
import { pino, type Logger } from 'pino';
import { HOST_FORMAT, isSecretKey, isoTime, redactDeep } from './logger.js';

export type AccessFields = Readonly<Record<string, unknown>>;

interface PinoInternals {
  [HOST_FORMAT]?: boolean;
  [key: symbol]: unknown;
}

export class AccessLog {
  readonly #log: Logger;
  /** Set when the logger has createLogger's line format: then the line is built here and written to its stream. */
  readonly #direct: { stream: { write(line: string): unknown }; bindings: string } | undefined;

  constructor(log: Logger) {
    this.#log = log;
    const internals = log as unknown as PinoInternals;
    const stream = internals[pino.symbols.streamSym] as { write(line: string): unknown } | undefined;
    const bindings = internals[pino.symbols.chindingsSym];
    this.#direct = internals[HOST_FORMAT] === true && stream && typeof bindings === 'string' ? { stream, bindings } : undefined;
  }

  /**
   * One `access` line at info level. `fields` come from the host; `extra` from filters (the AccessLogFields
   * attribute), whose secret-looking names are censored, since no redaction paths run over this line.
   */
  write(fields: AccessFields, extra?: AccessFields): void {
    const log = this.#log;
    if (!log.isLevelEnabled('info')) return;
    const direct = this.#direct;
    if (direct === undefined) {
      log.info(extra === undefined ? fields : { ...fields, ...censored(extra) }, 'access');
      return;
    }
    let line = `{"level":"info"${isoTime()}${direct.bindings}`;
    line = appendFields(line, fields, false);
    if (extra !== undefined) line = appendFields(line, extra, true);
    direct.stream.write(`${line},"msg":"access"}\n`);
  }

  /** The access line of a proxied request (requestLineFields), then the filters' `extra` fields. */
  writeRequest(f: RequestLine, extra?: AccessFields): void {
    const log = this.#log;
    if (!log.isLevelEnabled('info')) return;
    const direct = this.#direct;
    if (direct === undefined) {
      this.write(fieldsOf(f), extra);
      return;
    }
    let line = `{"level":"info"${isoTime()}${direct.bindings}${requestLineFields(f)}`;
    if (extra !== undefined) line = appendFields(line, extra, true);
    direct.stream.write(`${line},"msg":"access"}\n`);
  }
}

function fieldsOf(f: RequestLine): AccessFields {
  const { durationUs, ...rest } = f;
  const out: Record<string, unknown> = {};
  for (const k of ['reqId', 'route', 'type', 'method', 'path', 'cluster', 'endpoint', 'status', 'upstream_status', 'bytes', 'duration_ms', 'attempts', 'trace_id']) {
    out[k] = k === 'type' ? 'access' : k === 'duration_ms' ? Math.round(durationUs) / 1000 : (rest as Record<string, unknown>)[k];
  }
  return out;
}

/** The fields of a proxied request's access line, in the order they are written; undefined ones are left out. */
export interface RequestLine {
  reqId: string;
  route: string;
  method: string;
  path: string;
  cluster: string;
  endpoint: string | undefined;
  status: number;
  upstream_status: number | undefined;
  bytes: number;
  /** The duration in whole microseconds, written as `duration_ms` with up to three decimals. */
  durationUs: number;
  attempts: number | undefined;
  trace_id: string | undefined;
}

/**
 * The line of a proxied request: the same bytes as write() with the same fields, built from constant key texts (no
 * map lookup or for-in per field) and the duration formatted from integer microseconds (no double-to-string).
 */
export function requestLineFields(f: RequestLine): string {
  let line = `,"reqId":${quote(f.reqId)},"route":${quote(f.route)},"type":"access","method":${quote(f.method)},"path":${quote(f.path)},"cluster":${quote(f.cluster)}`;
  if (f.endpoint !== undefined) line += `,"endpoint":${quote(f.endpoint)}`;
  line += `,"status":${f.status}`;
  if (f.upstream_status !== undefined) line += `,"upstream_status":${f.upstream_status}`;
  line += `,"bytes":${f.bytes},"duration_ms":${millis(f.durationUs)}`;
  if (f.attempts !== undefined) line += `,"attempts":${f.attempts}`;
  if (f.trace_id !== undefined) line += `,"trace_id":${quote(f.trace_id)}`;
  return line;
}

/** Whole microseconds as milliseconds with up to three decimals, as `${Math.round(ms * 1000) / 1000}` writes them. */
export function millis(us: number): string {
  if (!Number.isSafeInteger(us) || us < 0) return jsonOf(us / 1000, false);
  const whole = Math.floor(us / 1000);
  let frac = us - whole * 1000;
  if (frac === 0) return `${whole}`;
  let digits = 3;
  while (frac % 10 === 0) {
    frac /= 10;
    digits--;
  }
  const f = `${frac}`;
  return `${whole}.${f.length < digits ? '0'.repeat(digits - f.length) + f : f}`;
}

/** Appends `,"name":value` for every defined field; a later duplicate name wins when parsed, like an object spread. */
function appendFields(line: string, fields: AccessFields, censor: boolean): string {
  for (const name in fields) {
    const value = fields[name];
    if (value === undefined) continue;
    const k = keyOf(name);
    line += k.key + (censor && k.secret ? '"[redacted]"' : jsonOf(value, censor));
  }
  return line;
}

/**
 * `,"name":` per field name, serialised once, and whether the name is secret-looking: the same few names are written
 * on every line (bounded).
 */
const keys = new Map<string, { key: string; secret: boolean }>();

function keyOf(name: string): { key: string; secret: boolean } {
  let key = keys.get(name);
  if (key === undefined) {
    key = { key: `,${JSON.stringify(name)}:`, secret: isSecretKey(name) };
    if (keys.size >= 1024) keys.clear();
    keys.set(name, key);
  }
  return key;
}

function jsonOf(value: unknown, censor: boolean): string {
  switch (typeof value) {
    case 'string':
      return quote(value);
    case 'number':
      return Number.isFinite(value) ? `${value}` : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    default:
      try {
        return JSON.stringify(censor ? redactDeep(value) : value) ?? 'null';
      } catch {
        return '"[unserializable]"';
      }
  }
}

/** JSON.stringify for a string, without its cost when nothing needs escaping (printable ASCII: the usual fields). */
function quote(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || c > 0x7e) return JSON.stringify(s);
  }
  return `"${s}"`;
}

function censored(extra: AccessFields): AccessFields {
  const out: Record<string, unknown> = {};
  for (const name in extra) out[name] = isSecretKey(name) ? '[redacted]' : redactDeep(extra[name]);
  return out;
}
