// Native body → store fields (USD resolved to nanos) and store record → native view (no hash; USD beside nanos).
import type { BudgetedRecord, KeyRecord } from '../../../../core/llm/index.js';
import { keysAdminInvalid } from '../errors.js';
import { nanosToUsd, usdOrNull, usdToNanos } from './money.js';

type MoneyIn = { [k: string]: unknown };

/** Copies the body, folding `x_usd` into `x_nanos`; both at once is an error. */
export function toStoreFields<T extends MoneyIn>(body: T): Record<string, unknown> {
  const out: Record<string, unknown> = { ...body };
  for (const base of ['max_budget', 'soft_budget']) {
    const usd = out[`${base}_usd`];
    if (usd === undefined) continue;
    if (out[`${base}_nanos`] !== undefined) throw keysAdminInvalid(`${base}_usd and ${base}_nanos: give one of them`);
    out[`${base}_nanos`] = usd === null ? null : usdToNanos(usd as number, `${base}_usd`);
    delete out[`${base}_usd`];
  }
  return out;
}

export function budgetedView(r: BudgetedRecord): Record<string, unknown> {
  return {
    ...r,
    max_budget_usd: usdOrNull(r.max_budget_nanos),
    soft_budget_usd: usdOrNull(r.soft_budget_nanos),
  };
}

/** A key as the API shows it: never the hash, never the plaintext. */
export function keyView(r: KeyRecord): Record<string, unknown> {
  const { hash: _hash, ...rest } = r;
  return budgetedView(rest as unknown as BudgetedRecord);
}

export const usd = nanosToUsd;
