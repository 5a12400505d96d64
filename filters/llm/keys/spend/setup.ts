// Builds the keys filter's cost and budget machinery from its config: the price book (bundled + overrides), the
// counter store (a configured memory or Redis store adapter, else an in-process memory store), the budget engine
// (counters rebuilt from the key store's ledger), the batched ledger writer and the budget report of the admin API.
import { isStoreAdapter, type FactoryContext, type Store } from '../../../../core/index.js';
import { createPriceBook, type KeyStore, type Principal } from '../../../../core/llm/index.js';
import { BudgetEngine } from '../budget/engine.js';
import { LedgerWriter } from '../ledger-writer.js';
import { groupRecordOf } from '../limits.js';
import type { KeysConfig } from '../schema.js';
import { budgetReport, type BudgetScope, type BudgetStatus } from './budget-report.js';
import { SpendGuard } from './guard.js';
import { createSpendMetrics } from './metrics.js';
import { BudgetSubjects } from './subjects.js';

const MEMORY_STORE = 'dgp.adapter.store.memory';
/**
 * How long a settled request id is remembered. The filter settles each request once and gives every hold a fresh id
 * (a client's x-request-id already held or settled gets a suffix), so the marker only has to outlive a settle that
 * races its own retry; a day of markers (the engine's default) would be millions of keys in the counter store.
 */
const MARKER_TTL_MS = 10_000;

export interface Spend {
  guard: SpendGuard;
  subjects: BudgetSubjects;
  report(scope: BudgetScope, id: string): Promise<BudgetStatus[] | undefined>;
  /** Writes the ledger rows still queued (the generation is retired, or the process stops). */
  close(): Promise<void>;
}

/** The counter store: the configured adapter, else the built-in memory store adapter with its defaults (a host service). */
function counterStore(config: Readonly<KeysConfig>, fctx: FactoryContext): Store {
  if (config.budgets.counter_store !== undefined) return fctx.store(config.budgets.counter_store);
  // Room for the settled-request markers of ~10 s of traffic at tens of thousands of requests a second (see MARKER_TTL_MS).
  const adapter = fctx.plugin(MEMORY_STORE)?.create({ key_prefix: 'dgp-keys:', max_keys: 1_000_000, sweep_interval_ms: 5_000 }, fctx);
  if (!isStoreAdapter(adapter)) throw new Error(`${MEMORY_STORE} is not loaded: the keys filter keeps its budget counters in it unless budgets.counter_store names a store`);
  return adapter.store;
}

export function createSpend(config: Readonly<KeysConfig>, fctx: FactoryContext, keyStore: KeyStore | undefined, staticKey: (id: string) => Principal | undefined): Spend {
  const log = fctx.log;
  const metrics = createSpendMetrics(fctx.metrics);
  const book = createPriceBook({ ...(config.prices === undefined ? {} : { overrides: config.prices }), configDir: fctx.configDir });
  const b = config.budgets;
  const engine = new BudgetEngine({
    store: counterStore(config, fctx),
    ...(keyStore === undefined ? {} : { ledger: keyStore }),
    leaseMs: b.lease_ms,
    markerTtlMs: MARKER_TTL_MS,
    failMode: b.fail_mode,
    zeroCostExempt: b.zero_cost_exempt,
    log,
    softAlerts: { log, counter: metrics.softAlerts, ...(b.soft_budget_webhook === undefined ? {} : { webhookUrl: b.soft_budget_webhook }) },
  });
  const l = config.ledger;
  const ledger = keyStore === undefined ? undefined : new LedgerWriter(keyStore, {
    maxBatch: l.max_batch, intervalMs: l.interval_ms, maxQueue: Math.max(l.max_queue, l.max_batch),
    onError: (err, rows) => log.warn({ err, rows }, `spend ledger: writing ${rows} rows failed; they stay queued and are retried`),
  });
  const cacheOpts = { ttlMs: config.cache.ttl_ms, negativeTtlMs: config.cache.negative_ttl_ms, maxEntries: config.cache.max_entries };
  const statics = {
    teams: new Map(config.teams.map((g) => [g.id, groupRecordOf(g)])),
    users: new Map(config.users.map((g) => [g.id, groupRecordOf(g)])),
  };
  const subjects = new BudgetSubjects(keyStore, cacheOpts, b.end_user, statics);
  const guard = new SpendGuard({ cfg: b, book, clusters: fctx.clusters, engine, ledger, metrics, log });
  return {
    guard,
    subjects,
    report: (scope, id) => budgetReport({ engine, subjects, store: keyStore, staticKey }, scope, id),
    async close() {
      metrics.close();
      await ledger?.close();
      await Promise.all(engine.alerts.pending);
    },
  };
}
