// USD ↔ nano-USD on the wire: exact through the float's shortest decimal form, refusing what nano-USD cannot hold.
import t from 'tap';
import { nanosToUsd, usdToNanos } from '../../../../../filters/llm/keys/admin/money.js';

t.test('USD floats convert exactly to integer nano-USD and back', async (t) => {
  const cases: Array<[number, number]> = [[0, 0], [0.1, 100_000_000], [0.3, 300_000_000], [10.5, 10_500_000_000], [1e-9, 1], [1e-7, 100], [123456.123456789, 123_456_123_456_789], [50_000, 50_000_000_000_000]];
  for (const [usd, nanos] of cases) {
    t.equal(usdToNanos(usd, 'max_budget'), nanos, `${usd} USD`);
    t.equal(nanosToUsd(nanos), usd, `${nanos} nanos`);
  }
});

t.test('amounts nano-USD cannot hold are refused naming the field', async (t) => {
  t.throws(() => usdToNanos(0.1 + 0.2, 'max_budget'), { code: 'DGP_ERR_KEYS_ADMIN_INVALID', message: /max_budget: .* more than 9 decimals/ });
  t.throws(() => usdToNanos(1e-10, 'soft_budget'), { message: /soft_budget/ });
  t.throws(() => usdToNanos(-1, 'max_budget'), { message: /non-negative/ });
  t.throws(() => usdToNanos(1e10, 'max_budget'), { message: /too large/ });
  t.throws(() => usdToNanos(Number.NaN, 'max_budget'), { code: 'DGP_ERR_KEYS_ADMIN_INVALID' });
});
