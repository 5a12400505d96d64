// The keys filter's per-request spend state: the budgets that apply, the hold taken before the upstream and its
// estimate, kept on the request until the answer ends and the request is charged, settled and recorded once.
import { defineAttribute } from '../../../../core/index.js';
import type { Principal } from '../../../../core/llm/index.js';
import type { BudgetHold } from '../budget/engine.js';
import type { Charge } from './charge.js';

export interface Estimate {
  /** The worst case in nano-USD (0 when no endpoint's price is known). */
  nanos: number;
  known: boolean;
}

export interface SpendState {
  readonly principal: Readonly<Principal>;
  /** The model the request is served with: the client's, or on_exhaust.fallback_model once it applied. */
  model: string | undefined;
  /** The client's own model when a fallback replaced it. */
  requestedModel: string | undefined;
  /** The id the hold and the ledger row carry: the request id, unless another request already used it. */
  spendId: string;
  hold: BudgetHold | undefined;
  estimate: Estimate | undefined;
  /** Computed once: in encode for the cost header, else when the request completes. */
  charge: Charge | undefined;
  done: boolean;
}

export const SpendStateKey = defineAttribute<SpendState>('dgp.filter.llm.keys/spend');
