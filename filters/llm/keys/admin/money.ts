// USD on the wire, integer nano-USD in the store. LiteLLM clients send budgets as JSON floats; the conversion goes
// through the float's shortest decimal form (what JSON.stringify prints), so 0.1 becomes exactly 100000000 nanos.
import { keysAdminInvalid } from '../errors.js';

const NANOS_PER_USD = 1_000_000_000n;

/** Exact nano-USD of a USD amount with at most 9 decimals; throws DGP_ERR_KEYS_ADMIN_INVALID naming the field. */
export function usdToNanos(usd: number, field: string): number {
  if (!Number.isFinite(usd) || usd < 0) throw keysAdminInvalid(`${field}: ${usd} is not a non-negative amount of USD`);
  let text = String(usd);
  if (/e/i.test(text)) text = usd.toFixed(12).replace(/0+$/, '');
  const [whole = '0', frac = ''] = text.split('.');
  if (frac.replace(/0+$/, '').length > 9) throw keysAdminInvalid(`${field}: ${usd} USD has more than 9 decimals (the store keeps nano-USD)`);
  const nanos = BigInt(whole) * NANOS_PER_USD + BigInt((frac + '000000000').slice(0, 9));
  if (nanos > BigInt(Number.MAX_SAFE_INTEGER)) throw keysAdminInvalid(`${field}: ${usd} USD is too large`);
  return Number(nanos);
}

/** The double nearest to the exact decimal value of `nanos` / 1e9. */
export function nanosToUsd(nanos: number): number {
  const n = BigInt(nanos);
  const frac = (n % NANOS_PER_USD).toString().padStart(9, '0');
  return Number(`${n / NANOS_PER_USD}.${frac}`);
}

export const usdOrNull = (nanos: number | null): number | null => (nanos === null ? null : nanosToUsd(nanos));
