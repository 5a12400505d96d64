// Soft budgets: when a budget's settled spend reaches its soft limit, one alert per budget and window across every
// instance (SET NX on an alert key that lives as long as the window): a log line, a counter, an optional webhook.
// The webhook is fire-and-forget with a timeout; it never delays or fails the request.
import type { Logger } from 'pino';
import type { Store } from '../../../../core/index.js';
import { formatUsd } from '../../../../core/llm/index.js';
import { alertKey, type BudgetCounter } from './counters.js';

export interface SoftAlertOptions {
  log?: Logger;
  /** Incremented once per alert fired (e.g. a cell of dgp_llm_budget_soft_alerts_total). */
  counter?: { add(value?: number): void };
  /** POSTed a JSON body per alert. */
  webhookUrl?: string;
  /** Default: 2000. */
  webhookTimeoutMs?: number;
}

export interface SoftAlert {
  budget: string;
  scope: string;
  subject: string;
  model: string | null;
  soft_budget_nanos: number;
  spent_nanos: number;
  window_start: string;
  window_end: string | null;
}

export class SoftAlerts {
  /** Webhook deliveries still running (tests and shutdown may await them). */
  readonly pending = new Set<Promise<void>>();
  #fired = 0;

  constructor(private readonly store: Store, private readonly prefix: string, private readonly opts: SoftAlertOptions = {}) {}

  /** Alerts fired by this instance. */
  get fired(): number {
    return this.#fired;
  }

  /** Fires the alert of `c` if spend reached its soft limit and no instance fired it in this window; true if fired. */
  async check(c: BudgetCounter, spent: number): Promise<boolean> {
    const soft = c.budget.soft_nanos;
    if (soft === null || spent < soft) return false;
    if (!(await this.store.setIfAbsent(alertKey(c, this.prefix), String(spent), { ttlMs: c.ttlMs }))) return false;
    this.#fired++;
    const alert: SoftAlert = {
      budget: c.budget.id, scope: c.budget.scope, subject: c.budget.subject, model: c.budget.model ?? null,
      soft_budget_nanos: soft, spent_nanos: spent, window_start: new Date(c.window.start).toISOString(),
      window_end: Number.isFinite(c.window.end) ? new Date(c.window.end).toISOString() : null,
    };
    this.opts.log?.warn({ alert }, `budget ${c.budget.id} reached its soft limit: spent $${formatUsd(spent)} of $${formatUsd(soft)} in the window from ${alert.window_start}`);
    this.opts.counter?.add();
    if (this.opts.webhookUrl !== undefined) this.#post(this.opts.webhookUrl, alert);
    return true;
  }

  #post(url: string, alert: SoftAlert): void {
    const p = fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'dgp.budget.soft_limit_reached', ...alert }),
      signal: AbortSignal.timeout(this.opts.webhookTimeoutMs ?? 2000),
    }).then(
      (res) => {
        if (!res.ok) this.opts.log?.warn({ url, status: res.status }, `soft budget webhook answered ${res.status}`);
        void res.body?.cancel();
      },
      (err: Error) => void this.opts.log?.warn({ url, err: err.message }, `soft budget webhook failed: ${err.message}`),
    ).finally(() => this.pending.delete(p));
    this.pending.add(p);
  }
}
