// Prices are computed with Numbers whenever every product stays a safe integer, and with BigInt otherwise: the two
// paths must give the same nano-USD to the unit, for every tier, rounding case and size.
import t from 'tap';
import { compileCard, costOf } from '../../../../core/llm/pricing/rates.js';
import { splitUsage } from '../../../../core/llm/pricing/usage.js';
import { usage } from './fixtures.js';

/** The same card with the Number path switched off: the exact BigInt arithmetic alone. */
const exactOnly = <C extends { denominatorN: number }>(card: C): C => ({ ...card, denominatorN: Number.NaN });

let seed = 7;
const rnd = (n: number): number => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed % n;
};
const price = (): number => Number((rnd(100_000) / 10 ** rnd(7)).toPrecision(1 + rnd(6)));

t.test('random cards and usages: Number and BigInt paths agree', async (t) => {
  let compared = 0;
  for (let i = 0; i < 3000; i++) {
    const tiers = rnd(3) === 0 ? { base: price(), tiers: [{ start: rnd(300_000), price: price() }] } : price();
    const card = compileCard({ input_mtok: tiers, output_mtok: price(), cache_read_mtok: price(), cache_write_mtok: price(), output_reasoning_mtok: rnd(2) === 0 ? price() : undefined, requests_kcount: rnd(4) === 0 ? price() : undefined });
    const input = rnd(2_000_000);
    const cached = rnd(input + 1);
    const output = rnd(200_000);
    const u = usage(input, output, { cache_read: cached, reasoning: rnd(output + 1) });
    const parts = splitUsage(u);
    const a = costOf(card, u, parts);
    const b = costOf(exactOnly(card), u, parts);
    if (JSON.stringify(a) !== JSON.stringify(b)) {
      t.fail(`card ${i}: ${JSON.stringify(a)} vs exact ${JSON.stringify(b)}`);
      return;
    }
    compared++;
  }
  t.equal(compared, 3000, 'every case agreed');
});

t.test('half-up boundaries are exact on the Number path', async (t) => {
  // 0.0375 $/Mtok = 37.5 nano-USD per token: odd token counts end on exactly .5.
  const card = compileCard({ input_mtok: 0.0375, output_mtok: 0 });
  for (const n of [1, 3, 9, 11, 1_000_001]) {
    const u = usage(n, 0);
    t.equal(costOf(card, u, splitUsage(u)).total, Math.floor((n * 375 + 5) / 10), `${n} tokens`);
  }
});

t.test('products beyond the safe range take the exact path and still price to the unit', async (t) => {
  // 0.123456789 $/Mtok: a numerator of 123,456,789,000 over 10^9; 100,000,001 tokens multiply past 2^53.
  const card = compileCard({ input_mtok: 0.123456789, output_mtok: 0 });
  const u = usage(100_000_001, 0);
  const exact = Number((100_000_001n * 123_456_789_000n + 500_000_000n) / 1_000_000_000n);
  t.ok(100_000_001 * 123_456_789_000 > Number.MAX_SAFE_INTEGER, 'the product is outside the Number path');
  t.equal(costOf(card, u, splitUsage(u)).total, exact);
});
