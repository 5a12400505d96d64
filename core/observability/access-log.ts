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
