// What one request holds between its admission and its end: the store holding its units and leases, the rate cells
// with the cost each took and the state the store reported, the token estimate, and the output text seen (the
// fallback charge of a stream that ends without usage).
import { defineAttribute, type Store } from '../../../core/index.js';
import type { ResponseItem } from '../../../core/llm/index.js';
import type { TokenUsage } from './estimate.js';
import type { CellState } from './headers.js';
import type { RateCharge } from './limiter.js';
import type { Cell } from './rules.js';

export class RequestLimits {
  /** The admission, while it runs (onComplete waits for it: a decode cut by the timeout still releases). */
  pending: Promise<unknown> | undefined;
  /** The store admitted (set as the admission ends, so onComplete need not wait for `pending`). */
  admitted = false;
  /** Where the units and leases are held; undefined while nothing is (not admitted yet, refused, or admitted open). */
  store: Store | undefined;
  /** The lease holder id: unique per admission (a client may reuse x-request-id). */
  holder = '';
  rates: readonly RateCharge[] = [];
  leases: readonly Cell[] = [];
  states: readonly CellState[] = [];
  divisor = 1;
  /** The usage reserved for, when a token rule counts the request. */
  estimate: TokenUsage | undefined;
  /** UTF-8 bytes of generated text delivered by the exchange (only when the upstream reported no usage). */
  outputBytes = 0;
  released = false;

  readonly onItem = (item: ResponseItem): void => {
    if (item.type === 'text' || item.type === 'reasoning' || item.type === 'refusal') this.outputBytes += Buffer.byteLength(item.text);
    else if (item.type === 'tool_call') this.outputBytes += Buffer.byteLength(item.arguments) + Buffer.byteLength(item.name ?? '');
  };
}

export const RequestLimitsKey = defineAttribute<RequestLimits>('dgp.llm.ratelimit');
