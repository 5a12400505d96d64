// `log.format: pretty` (or `dgp start --pretty`): one readable line per log record for a terminal during development,
// `09:14:03.120 INFO  dgp-gateway started  listeners=llm_proxy:8888 admin_url=http://127.0.0.1:8889/`. The records
// are the same pino JSON objects (secrets already redacted by pino); only their rendering changes. Colour only on a TTY.

const LEVEL_COLOUR: Record<string, string> = { trace: '90', debug: '36', info: '32', warn: '33', error: '31', fatal: '35' };
/** Fields every line has, or that the line renders itself. */
const SKIP = new Set(['level', 'time', 'pid', 'msg', 'hostname']);

export interface PrettyOptions {
  colour: boolean;
}

/** Renders one pino JSON line; a line that is not JSON is returned as it is. */
export function prettyLine(line: string, opts: PrettyOptions): string {
  let rec: Record<string, unknown>;
  try {
    rec = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  if (rec === null || typeof rec !== 'object') return line;
  const level = String(rec.level ?? 'info');
  const time = typeof rec.time === 'string' ? rec.time.slice(11, 23) : new Date().toISOString().slice(11, 23);
  const label = level.toUpperCase().padEnd(5);
  const paint = (code: string | undefined, s: string): string => (opts.colour && code ? `\x1b[${code}m${s}\x1b[0m` : s);
  const fields: string[] = [];
  for (const [k, v] of Object.entries(rec)) {
    if (SKIP.has(k) || v === undefined) continue;
    fields.push(`${paint('90', `${k}=`)}${render(v)}`);
  }
  const msg = typeof rec.msg === 'string' ? rec.msg : '';
  return `${paint('90', time)} ${paint(LEVEL_COLOUR[level], label)} ${msg}${fields.length ? `  ${fields.join(' ')}` : ''}`;
}

function render(v: unknown): string {
  if (typeof v === 'string') return /[\s"=]/.test(v) || v === '' ? JSON.stringify(v) : v;
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    // An error as pino serialises it: its type and message, and the stack on the following lines.
    if (typeof o.message === 'string' && typeof o.stack === 'string') return `${JSON.stringify(o.message)}\n${o.stack.split('\n').slice(1).join('\n')}`;
    const entries = Object.entries(o);
    if (entries.length > 0 && entries.every(([, x]) => typeof x !== 'object' || x === null)) return entries.map(([k, x]) => `${k}:${String(x)}`).join(',');
  }
  return JSON.stringify(v);
}

/** A pino destination that writes each record as a pretty line to `out`. */
export function prettyDestination(out: NodeJS.WritableStream & { isTTY?: boolean }): { write(chunk: string): boolean } {
  const colour = Boolean(out.isTTY) && process.env.NO_COLOR === undefined;
  return {
    write(chunk: string): boolean {
      let text = '';
      for (const line of chunk.split('\n')) if (line !== '') text += `${prettyLine(line, { colour })}\n`;
      return out.write(text);
    },
  };
}
