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
  const s = Number(((ms % 60_000) / 1000).toFixed(3));
  return `${h > 0 ? `${h}h` : ''}${h > 0 || m > 0 ? `${m}m` : ''}${s}s`;
}

/** The cell with the least left; on a tie the one that takes longest to reset. */
function binding(cells: readonly CellState[]): CellState | undefined {
  let best: CellState | undefined;
  for (const c of cells) {
    if (best === undefined || c.state.remaining < best.state.remaining || (c.state.remaining === best.state.remaining && c.state.resetMs > best.state.resetMs)) best = c;
  }
  return best;
}

type Family = (c: Cell) => boolean;
const REQUESTS: Family = (c) => c.dimension === 'requests';
const TOKENS: Family = (c) => c.dimension === 'tokens';
const ANTHROPIC: Array<[string, Family]> = [
  ['requests', REQUESTS],
  ['tokens', (c) => TOKENS(c) && c.rule.count !== 'input' && c.rule.count !== 'output'],
  ['input-tokens', (c) => TOKENS(c) && c.rule.count === 'input'],
  ['output-tokens', (c) => TOKENS(c) && c.rule.count === 'output'],
];

/**
 * The headers for a client of `api`: the binding cell of each family. `divisor` is the share applied under
 * on_store_error: local; `refused` (a refusal) is the binding cell of its own family whatever the others say.
 */
export function limitHeaders(api: string, cells: readonly CellState[], divisor: number, now: number, refused?: Cell): Record<string, string> {
  const out: Record<string, string> = {};
  const pick = (family: Family): CellState | undefined => {
    const members = cells.filter((c) => family(c.cell));
    return members.find((c) => c.cell === refused) ?? binding(members);
  };
  if (api === 'openai') {
    for (const [name, family] of [['requests', REQUESTS], ['tokens', TOKENS]] as const) {
      const b = pick(family);
      if (b === undefined) continue;
      out[`x-ratelimit-limit-${name}`] = String(scaled(b.cell.limit, divisor));
      out[`x-ratelimit-remaining-${name}`] = String(b.state.remaining);
      out[`x-ratelimit-reset-${name}`] = goDuration(b.state.resetMs);
    }
  } else if (api === 'anthropic') {
    for (const [name, family] of ANTHROPIC) {
      const b = pick(family);
      if (b === undefined) continue;
      out[`anthropic-ratelimit-${name}-limit`] = String(scaled(b.cell.limit, divisor));
      out[`anthropic-ratelimit-${name}-remaining`] = String(b.state.remaining);
      // Whole seconds, rounded up: a client waiting until then finds the cell drained.
      out[`anthropic-ratelimit-${name}-reset`] = new Date(Math.ceil((now + b.state.resetMs) / 1000) * 1000).toISOString().replace('.000Z', 'Z');
    }
  }
  return out;
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
