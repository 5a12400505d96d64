// The headers that describe the binding rule to clients in their own API's terms — OpenAI's x-ratelimit-* (reset as a
// Go duration, "6m0s") on OpenAI routes, Anthropic's anthropic-ratelimit-* (reset as RFC 3339) on /v1/messages — and
// what becomes of the upstream's own rate-limit headers, which describe the operator's account, not the client's.
import type { ResponseHeaders, RateState } from '../../../core/index.js';
import type { Cell } from './rules.js';
import { scaled } from './limiter.js';

/** A rate cell and its state after (or, for a refusal, before) the admission. */
export interface CellState {
  readonly cell: Cell;
  readonly state: RateState;
}

/** Go's time.Duration.String as OpenAI writes it: 250ms, 1.5s, 6m0s, 1h2m3s. */
export function goDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.ceil(ms))}ms`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  // Whole milliseconds (the stores' resets) print with at most 3 decimals as they are; fractions are rounded to 3.
  const s = Number.isInteger(ms) ? (ms % 60_000) / 1000 : Number(((ms % 60_000) / 1000).toFixed(3));
  return `${h > 0 ? `${h}h` : ''}${h > 0 || m > 0 ? `${m}m` : ''}${s}s`;
}

/**
 * An integer's decimal text. Above 2^31 a number is a heap double, which String() converts by the shortest-digits
 * algorithm; two small integers (the top digits, then nine more) come from V8's number-string cache instead.
 */
export function decimal(n: number): string {
  if (n < 2_147_483_648 || !Number.isSafeInteger(n)) return String(n);
  const high = Math.floor(n / 1e9);
  const low = String(n - high * 1e9);
  return `${high}${'000000000'.slice(low.length)}${low}`;
}

/** A family of cells (the dimension, and for Anthropic's token families the rule's count) and its three header names. */
interface Family {
  readonly dimension: 'requests' | 'tokens';
  /** Token families: which counts belong (undefined: any). */
  readonly counts?: (count: Cell['rule']['count']) => boolean;
  readonly limit: string;
  readonly remaining: string;
  readonly reset: string;
}
const family = (dimension: Family['dimension'], names: readonly [string, string, string], counts?: Family['counts']): Family => ({ dimension, counts, limit: names[0], remaining: names[1], reset: names[2] });
const openai = (n: string): [string, string, string] => [`x-ratelimit-limit-${n}`, `x-ratelimit-remaining-${n}`, `x-ratelimit-reset-${n}`];
const anthropic = (n: string): [string, string, string] => [`anthropic-ratelimit-${n}-limit`, `anthropic-ratelimit-${n}-remaining`, `anthropic-ratelimit-${n}-reset`];
const OPENAI: readonly Family[] = [family('requests', openai('requests')), family('tokens', openai('tokens'))];
const ANTHROPIC: readonly Family[] = [
  family('requests', anthropic('requests')),
  family('tokens', anthropic('tokens'), (c) => c !== 'input' && c !== 'output'),
  family('tokens', anthropic('input-tokens'), (c) => c === 'input'),
  family('tokens', anthropic('output-tokens'), (c) => c === 'output'),
];

/** A limit as header text: the cell's own (built once with it) unless a divisor applies. */
const limitText = (cell: Cell, divisor: number): string => (divisor <= 1 && cell.limitText !== undefined ? cell.limitText : String(scaled(cell.limit, divisor)));

/**
 * The headers for a client of `api`: the binding cell of each family. `divisor` is the share applied under
 * on_store_error: local; `refused` (a refusal) is the binding cell of its own family whatever the others say.
 */
export function limitHeaders(api: string, cells: readonly CellState[], divisor: number, now: number, refused?: Cell, out: Record<string, string> = {}): Record<string, string> {
  const families = api === 'openai' ? OPENAI : api === 'anthropic' ? ANTHROPIC : undefined;
  if (families === undefined) return out;
  for (const f of families) {
    const b = pick(cells, f, refused);
    if (b === undefined) continue;
    out[f.limit] = limitText(b.cell, divisor);
    out[f.remaining] = decimal(b.state.remaining);
    // OpenAI: a Go duration. Anthropic: RFC 3339 in whole seconds, rounded up (a client waiting until then finds the
    // cell drained).
    out[f.reset] = families === OPENAI ? goDuration(b.state.resetMs) : new Date(Math.ceil((now + b.state.resetMs) / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  }
  return out;
}

/** The family's binding cell; `refused` is the binding cell of its own family whatever the others say. */
function pick(cells: readonly CellState[], f: Family, refused: Cell | undefined): CellState | undefined {
  let best: CellState | undefined;
  for (const c of cells) {
    if (c.cell.dimension !== f.dimension || (f.counts !== undefined && !f.counts(c.cell.rule.count))) continue;
    if (c.cell === refused) return c;
    if (best === undefined || c.state.remaining < best.state.remaining || (c.state.remaining === best.state.remaining && c.state.resetMs > best.state.resetMs)) best = c;
  }
  return best;
}

export type UpstreamHeaderMode = 'drop' | 'pass' | 'rename';

const UPSTREAM_RATELIMIT = /^(x-ratelimit-|anthropic-ratelimit-|ratelimit$|ratelimit-policy$)/;

/** Drops the upstream's rate-limit headers, or renames them to x-dgp-upstream-<name>; `pass` leaves them. */
export function applyUpstreamHeaders(headers: ResponseHeaders, mode: UpstreamHeaderMode): void {
  if (mode === 'pass') return;
  for (const name of Object.keys(headers)) {
    // Most names start with none of x, a, r: no regex for them (this runs on every answer).
    const c = name.charCodeAt(0);
    if ((c !== 120 && c !== 97 && c !== 114) || !UPSTREAM_RATELIMIT.test(name)) continue;
    const value = headers[name]!;
    delete headers[name];
    if (mode === 'rename') headers[`x-dgp-upstream-${name}`] = value;
  }
}
