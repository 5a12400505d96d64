// Envoy's retry budget per cluster (reliability property 16): retries in flight (every attempt after a request's first,
// same endpoint or fallback) stay under max(min_retry_concurrency, budget_percent % of the requests in flight to the
// cluster). The counters live in a service every proxy instance and generation shares.
import { defineService } from '../../../core/index.js';
import type { ProxyConfig } from './schema.js';

export interface RetryBudgetSettings {
  /** 0-100; 100 = no budget (a request has one attempt in flight at a time, so retries never exceed requests). */
  readonly percent: number;
  readonly minConcurrency: number;
}

/** The settings of each cluster (the filter's, or its clusters.<name> override). */
export interface RetryBudgetOptions {
  readonly base: RetryBudgetSettings;
  readonly clusters: ReadonlyMap<string, RetryBudgetSettings>;
}

export class ClusterRetryBudget {
  /** Requests in flight to the cluster through a proxy (streams until they end). */
  active = 0;
  /** Retries in flight (from the decision, through any backoff wait, to the end of the attempt). */
  retries = 0;

  /** Takes a retry slot when the budget has one. */
  tryRetry(s: RetryBudgetSettings): boolean {
    if (s.percent < 100 && this.retries >= Math.max(s.minConcurrency, (this.active * s.percent) / 100)) return false;
    this.retries++;
    return true;
  }

  retryDone(): void {
    this.retries--;
  }
}

export class RetryBudgets {
  readonly #clusters = new Map<string, ClusterRetryBudget>();

  /** The cluster's counters (one per cluster name a route names). */
  of(cluster: string): ClusterRetryBudget {
    let b = this.#clusters.get(cluster);
    if (b === undefined) this.#clusters.set(cluster, (b = new ClusterRetryBudget()));
    return b;
  }

  get size(): number {
    return this.#clusters.size;
  }
}

export const retryBudgetService = defineService<RetryBudgets>({
  name: 'dgp.filter.llm.proxy.retry-budget',
  create: () => new RetryBudgets(),
});

/** Settings for `cluster`. */
export function budgetFor(o: RetryBudgetOptions, cluster: string): RetryBudgetSettings {
  return o.clusters.get(cluster) ?? o.base;
}

type BudgetConfig = NonNullable<ProxyConfig['retry_budget']>;

export function resolveRetryBudget(c: BudgetConfig | undefined): RetryBudgetOptions {
  const base: RetryBudgetSettings = { percent: c?.budget_percent ?? 20, minConcurrency: c?.min_retry_concurrency ?? 3 };
  const clusters = new Map<string, RetryBudgetSettings>();
  for (const [name, o] of Object.entries(c?.clusters ?? {})) {
    clusters.set(name, { percent: o.budget_percent ?? base.percent, minConcurrency: o.min_retry_concurrency ?? base.minConcurrency });
  }
  return { base, clusters };
}
