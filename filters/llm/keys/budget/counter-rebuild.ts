// Rebuilds a missing budget counter from the spend ledger: the window's settled spend, written only where the counter
// is absent (SET NX), so any number of instances may rebuild at once and the counter is set once.
import type { Logger } from 'pino';
import { DgpError, isDgpError, type Store } from '../../../../core/index.js';
import type { KeyStore } from '../../../../core/llm/index.js';
import type { BudgetCounter } from './counters.js';

/** Where a counter is rebuilt from and written to; absent ledger: a missing counter starts at 0. */
export interface CounterSource {
  store: Store;
  ledger: Pick<KeyStore, 'sumSpend'> | undefined;
  log: Logger | undefined;
}

export async function initialiseCounter(src: CounterSource, c: BudgetCounter, now: number): Promise<boolean> {
  const b = c.budget;
  let spent = 0;
  try {
    if (src.ledger !== undefined) spent = await src.ledger.sumSpend({
      scope: b.scope, id: b.subject, from: c.window.start, to: Number.isFinite(c.window.end) ? c.window.end : Math.max(now, Date.now()) + 1,
      ...(b.model === undefined ? {} : { model: b.model }),
    });
  } catch (err) {
    if (isDgpError(err)) throw err;
    // Not knowing the spend is an outage like an unreachable counter store: fail_mode decides, not a crash.
    throw new DgpError('DGP_ERR_KEYSTORE_UNAVAILABLE', `budget ${b.id}: the spend ledger could not be read to rebuild its counter: ${(err as Error).message}`, { status: 503, cause: err });
  }
  const written = await src.store.setIfAbsent(c.key, String(spent), { ttlMs: c.ttlMs });
  if (written) src.log?.info({ budget: b.id, window_start: c.window.start, spent_nanos: spent }, `budget ${b.id}: counter initialised from the ledger`);
  return written;
}
