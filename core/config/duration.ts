// Go-style durations ("300ms", "5s", "1m30s", "1.5h") or plain numbers of milliseconds, as Pixiu's YAML uses them.
import { DgpError } from '../errors.js';

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const PART = /(\d+(?:\.\d+)?|\.\d+)(ns|us|µs|ms|s|m|h)/y;

/** Milliseconds from a Go duration string or a number (already ms). "0" and 0 are 0. Throws DGP_ERR_CONFIG_DURATION. */
export function parseDuration(value: string | number, field = 'duration'): number {
  if (typeof value === 'number') {
    if (Number.isFinite(value) && value >= 0) return value;
    throw bad(value, field);
  }
  const s = value.trim();
  if (s === '0') return 0;
  let sign = 1;
  let i = 0;
  if (s[0] === '-' || s[0] === '+') {
    sign = s[0] === '-' ? -1 : 1;
    i = 1;
  }
  if (i >= s.length) throw bad(value, field);
  let total = 0;
  PART.lastIndex = i;
  while (PART.lastIndex < s.length) {
    const start = PART.lastIndex;
    const m = PART.exec(s);
    if (!m || m.index !== start) throw bad(value, field);
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
  }
  if (sign < 0 && total > 0) throw bad(value, field);
  return total;
}

function bad(value: unknown, field: string): DgpError {
  return new DgpError('DGP_ERR_CONFIG_DURATION', `${field}: ${JSON.stringify(value)} is not a duration`, {
    hint: 'write e.g. 500ms, 5s, 1m30s, or a number of milliseconds (a bare "500" string needs a unit, as in Go)',
  });
}
