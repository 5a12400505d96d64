// The slow scenario's options and issue 18's targets on `npm run bench -- ...` (bench/lib/options.ts).
import t from 'tap';
import { parseOptions, USAGE, UsageError } from '../../bench/lib/options.js';

t.test('defaults: 2,000 streams, 1,000 slow readers, 200 ms gaps, an 8 s ramp; all includes slow', async (t) => {
  const o = parseOptions([])!;
  t.match(o, { streams: 2000, slowReaders: 1000, slowGapMs: 200, rampS: 8 });
  t.ok(o.scenarios.includes('slow'));
  t.ok(o.targets.includes('dgp-gov') && o.targets.includes('dgp-limiter-redis') && o.targets.includes('nginx'));
});

t.test('a small check run parses, and direct is always added', async (t) => {
  const o = parseOptions(['--scenario', 'slow', '--streams', '100', '--slow-readers', '0', '--slow-gap', '25', '--ramp', '1', '--duration', '2', '--targets', 'bare,dgp'])!;
  t.match(o, { scenarios: ['slow'], streams: 100, slowReaders: 0, slowGapMs: 25, rampS: 1, durationS: 2, targets: ['direct', 'bare', 'dgp'] });
});

t.test('--pin is off by default and documented', async (t) => {
  t.equal(parseOptions([])!.pin, false);
  t.equal(parseOptions(['--pin', '--scenario', 'unary'])!.pin, true);
  t.ok(USAGE.includes('--pin'));
});

t.test('bad values are usage errors that name the option', async (t) => {
  t.throws(() => parseOptions(['--streams', '0']), new UsageError('--streams takes a number >= 1, got "0"'));
  t.throws(() => parseOptions(['--slow-gap', 'fast']), new UsageError('--slow-gap takes a number >= 1, got "fast"'));
  t.throws(() => parseOptions(['--scenario', 'slowest']), /--scenario: unknown "slowest"/);
});

t.test('--help lists the slow scenario, its options and the new targets', async (t) => {
  t.equal(parseOptions(['--help']), undefined);
  for (const s of ['slow', '--streams', '--slow-readers', '--slow-gap', '--ramp', 'dgp-gov', 'dgp-limiter-redis']) t.ok(USAGE.includes(s), s);
});
