// The budget engine's public shapes: its options, a held reservation, what reserve and settle answer; shared by the
// engine (engine.ts) and the spend guard that acts on an admission (spend/guard.ts).
import type { DgpError, Store } from '../../../../core/index.js';
import type { KeyStore } from '../../../../core/llm/index.js';
import type { Logger } from 'pino';
import type { BudgetCounter } from './counters.js';
import type { BudgetDenial } from './exceeded.js';
import type { SoftAlertOptions } from './soft-alert.js';

export type FailMode = 'closed' | 'open';

export interface BudgetEngineOptions {
  store: Store;
  /** Where counters are rebuilt from (sumSpend over the window); absent: a missing counter starts at 0. */
  ledger?: Pick<KeyStore, 'sumSpend'>;
  /** How long a hold counts without a settle: longer than the longest request. Default: 15 min. */
  leaseMs?: number;
  /** How long a settled request id is remembered (duplicate settles, late holds). Default: 24 h. */
  markerTtlMs?: number;
  /** Store unreachable: `closed` rejects (default), `open` admits without a hold. */
  failMode?: FailMode;
  keyPrefix?: string;
  /**
   * Admit a request whose worst case costs 0 (a free local model) without touching the store, even when a budget is
   * spent: an exhausted budget must not block free models. The caller applies unknown_price first (an unpriced model
   * estimates 0 too). Default: true.
   */
  zeroCostExempt?: boolean;
  log?: Logger;
  softAlerts?: SoftAlertOptions;
}

export interface BudgetHold {
  readonly requestId: string;
  /** The request's done marker, written by the settle; undefined when the request id is never reused (see reserve). */
  readonly marker: string | undefined;
  readonly amount: number;
  readonly counters: readonly BudgetCounter[];
  /** false: admitted by fail_mode open while the store was unreachable (nothing is held). */
  readonly guarded: boolean;
}

export type Admission =
  | { ok: true; hold: BudgetHold; duplicate: boolean }
  | { ok: false; reason: 'budget_exceeded'; denial: BudgetDenial; fallback_model?: string }
  | { ok: false; reason: 'store_unavailable'; error: DgpError }
  /** The request id was settled already: a replayed id must not run unbudgeted (give the request a fresh id). */
  | { ok: false; reason: 'duplicate_request' };

export type SettleOutcome = { ok: true; applied: boolean } | { ok: false; error: DgpError };

export interface ReserveOptions {
  /** The key's on_exhaust.fallback_model: returned with a denial for the caller to apply. */
  fallback_model?: string;
}
