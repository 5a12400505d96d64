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

type Family = (c: Cell) => boolean;
const REQUESTS: Family = (c) => c.dimension === 'requests';
const TOKENS: Family = (c) => c.dimension === 'tokens';
/** A family of cells and its three header names (limit, remaining, reset), built once. */
type Named = readonly [Family, string, string, string];
const OPENAI: readonly Named[] = (
  [['requests', REQUESTS], ['tokens', TOKENS]] as const
).map(([n, f]) => [f, `x-ratelimit-limit-${n}`, `x-ratelimit-remaining-${n}`, `x-ratelimit-reset-${n}`] as const);
const ANTHROPIC: readonly Named[] = (
  [
    ['requests', REQUESTS],
    ['tokens', (c: Cell) => TOKENS(c) && c.rule.count !== 'input' && c.rule.count !== 'output'],
    ['input-tokens', (c: Cell) => TOKENS(c) && c.rule.count === 'input'],
    ['output-tokens', (c: Cell) => TOKENS(c) && c.rule.count === 'output'],
  ] as const
).map(([n, f]) => [f, `anthropic-ratelimit-${n}-limit`, `anthropic-ratelimit-${n}-remaining`, `anthropic-ratelimit-${n}-reset`] as const);

/**
 * The headers for a client of `api`: the binding cell of each family. `divisor` is the share applied under
 * on_store_error: local; `refused` (a refusal) is the binding cell of its own family whatever the others say.
 */
export function limitHeaders(api: string, cells: readonly CellState[], divisor: number, now: number, refused?: Cell, out: Record<string, string> = {}): Record<string, string> {
  const families = api === 'openai' ? OPENAI : api === 'anthropic' ? ANTHROPIC : undefined;
  if (families === undefined) return out;
  for (const [family, limit, remaining, reset] of families) {
    const b = pick(cells, family, refused);
    if (b === undefined) continue;
    out[limit] = String(scaled(b.cell.limit, divisor));
    out[remaining] = String(b.state.remaining);
    // OpenAI: a Go duration. Anthropic: RFC 3339 in whole seconds, rounded up (a client waiting until then finds the
    // cell drained).
    out[reset] = families === OPENAI ? goDuration(b.state.resetMs) : new Date(Math.ceil((now + b.state.resetMs) / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  }
  return out;
}

/** The family's binding cell; `refused` is the binding cell of its own family whatever the others say. */
function pick(cells: readonly CellState[], family: Family, refused: Cell | undefined): CellState | undefined {
  let best: CellState | undefined;
  for (const c of cells) {
    if (!family(c.cell)) continue;
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
    if (!UPSTREAM_RATELIMIT.test(name)) continue;
    const value = headers[name]!;
    delete headers[name];
    if (mode === 'rename') headers[`x-dgp-upstream-${name}`] = value;
  }
}
