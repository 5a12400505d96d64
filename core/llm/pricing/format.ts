// Decimal text of a nano-USD amount for the x-dgp-cost-usd header and the access log: integer arithmetic, no float.

const NANO_PER_USD = 1_000_000_000n;

/** 7250000 → "0.00725", 1500000000 → "1.5", 0 → "0"; trailing zeros dropped, never an exponent. */
export function formatUsd(nanos: number | bigint): string {
  if (typeof nanos === 'number') {
    if (!Number.isSafeInteger(nanos)) throw new RangeError(`nanos must be a safe integer, got ${nanos}`);
    return formatSafe(nanos);
  }
  const n = BigInt(nanos);
  const sign = n < 0n ? '-' : '';
  const abs = n < 0n ? -n : n;
  const whole = abs / NANO_PER_USD;
  const frac = (abs % NANO_PER_USD).toString().padStart(9, '0').replace(/0+$/, '');
  return `${sign}${whole}${frac ? `.${frac}` : ''}`;
}

/**
 * The same for a safe integer without BigInt (every priced request formats its cost): `%` of integers is exact, and
 * so is dividing the exact multiple of 10^9 that remains.
 */
function formatSafe(nanos: number): string {
  const abs = Math.abs(nanos);
  const rem = abs % 1e9;
  const whole = (abs - rem) / 1e9;
  const sign = nanos < 0 ? '-' : '';
  if (rem === 0) return `${sign}${whole}`;
  let frac = String(rem).padStart(9, '0');
  let end = frac.length;
  while (frac.charCodeAt(end - 1) === 0x30) end--;
  frac = frac.slice(0, end);
  return `${sign}${whole}.${frac}`;
}
