// The slow scenario's arithmetic (bench/lib/slow-math.ts): stamps found once whatever the split, RSS per open stream
// over the plateau, event-loop delay over a window, and the scenario's shape from the command line.
import t from 'tap';
import { eldPercentiles, readPerTick, rssPerStreamKB, slowShape, StampScanner, stampText } from '../../bench/lib/slow-math.js';
import { slowEvent, usageEvent } from '../../bench/mock/payloads.mjs';

const stream = () => [slowEvent(0, 1000001, 'xxxx', false), slowEvent(1, 1000202, '', false), slowEvent(2, 98765432109, 'x'.repeat(50), true), usageEvent(), 'data: [DONE]\n\n'].join('');

t.test('every stamp of a mock stream is found once at every split point', async (t) => {
  const whole = stream();
  t.same(new StampScanner().push(whole), [1000001, 1000202, 98765432109]);
  for (let cut = 1; cut < whole.length; cut++) {
    const s = new StampScanner();
    t.same([...s.push(whole.slice(0, cut)), ...s.push(whole.slice(cut))], [1000001, 1000202, 98765432109], `cut at ${cut}`);
  }
  // Byte by byte, as Buffers.
  const s = new StampScanner();
  const seen = [...Buffer.from(whole)].flatMap((b) => s.push(Buffer.from([b])));
  t.same(seen, [1000001, 1000202, 98765432109]);
});

t.test('the mock writes the stamp the scanner reads', async (t) => {
  t.equal(stampText(42), '@42@');
  t.ok(slowEvent(3, 42, 'pad', false).includes('"content":"@42@ pad"'));
  t.same(new StampScanner().push('"created":1700000000,"index":0,"total_tokens":44'), [], 'digits that are not stamps are ignored');
});

t.test('RSS per open stream: median over the plateau minus the baseline, per stream, in KB', async (t) => {
  const MB = 1024 * 1024;
  const samples = [
    { t: 0, rssBytes: 100 * MB },
    { t: 1, rssBytes: 150 * MB },
    { t: 2, rssBytes: 170 * MB },
    { t: 3, rssBytes: 168 * MB },
    { t: 4, rssBytes: 400 * MB }, // a GC spike: the median ignores it
    { t: 5, rssBytes: undefined },
    { t: 6, rssBytes: 120 * MB }, // after the plateau
  ];
  t.equal(rssPerStreamKB(samples, 100 * MB, 2, 5, 1000), (70 * 1024) / 1000, 'median of 170, 168 and 400 MB');
  t.equal(rssPerStreamKB(samples, 100 * MB, 1, 3, 2000), ((168 - 100) * 1024) / 2000, 'median of 150, 170 and 168 MB');
  t.equal(rssPerStreamKB(samples, 100 * MB, 7, 9, 10), undefined, 'no sample in the window');
  t.equal(rssPerStreamKB(samples, 100 * MB, 4, 2, 10), undefined, 'the window ends before it starts');
  t.equal(rssPerStreamKB(samples, undefined, 2, 4, 10), undefined, 'no baseline');
  t.equal(rssPerStreamKB(samples, 100 * MB, undefined, 4, 10), undefined, 'no plateau');
});

t.test('event-loop delay percentiles over the lines of a window', async (t) => {
  const text = [
    JSON.stringify({ t: 1000, d: [50, 60] }),
    JSON.stringify({ t: 2000, d: Array.from({ length: 99 }, () => 1).concat([30]) }),
    '{"t": 2500, "d": [1', // being written
    JSON.stringify({ t: 3000, d: [2] }),
    '',
  ].join('\n');
  const p = eldPercentiles(text, 1500, 3000)!;
  t.equal(p.p50, 1);
  t.equal(p.p99, 2, 'the 99th of 101 samples');
  t.equal(p.max, 30);
  t.equal(eldPercentiles(text, 5000, 6000), undefined);
});

t.test('slow shape: chunks from the hold time, the ramp shorter than the hold', async (t) => {
  t.same(slowShape(undefined, 200, 8), { holdS: 12, rampS: 8, chunks: 60 }, "issue 18's default: 60 chunks 200 ms apart over an 8 s ramp");
  t.same(slowShape(3, 200, 8), { holdS: 3, rampS: 2, chunks: 15 });
  t.same(slowShape(0.1, 200, 0), { holdS: 0.4, rampS: 0, chunks: 2 }, 'at least two chunks');
  t.equal(readPerTick(120_000, 12), 1000);
  t.equal(readPerTick(100, 12), 256, 'never less than 256 bytes a tick');
});
