// The memory store's settled-request markers: the bit filter and the hash index only ever save work — every marker
// written is found, every other one is not, however full the filter, however large the index grew, however alike the
// markers — and markers live one to two periods.
import t from 'tap';
import { SettledMarkers } from '../../../core/services/settled-markers.js';

t.test('100k markers in one period: each is found, written once; 100k others are not found', async (t) => {
  const m = new SettledMarkers();
  const N = 100_000;
  let written = 0;
  for (let i = 0; i < N; i++) if (m.add(`{dgp-budget}:done:req-${i}`, 10_000, 0)) written++;
  t.equal(written, N, 'every new marker is written');
  let again = 0;
  let found = 0;
  let foundOthers = 0;
  for (let i = 0; i < N; i++) {
    if (m.add(`{dgp-budget}:done:req-${i}`, 10_000, 1)) again++;
    if (m.has(`{dgp-budget}:done:req-${i}`, 1)) found++;
    if (m.has(`{dgp-budget}:done:other-${i}`, 1)) foundOthers++;
  }
  t.equal(again, 0, 'a marker is written once');
  t.equal(found, N);
  t.equal(foundOthers, 0);
  t.equal(m.size, N);
});

t.test('markers that differ in one character anywhere (start, middle, end) are told apart', async (t) => {
  const m = new SettledMarkers();
  const body = 'x'.repeat(120);
  const alike = (i: number): string[] => [`${i}:${body}`, `${body.slice(0, 60)}${i}${body.slice(60)}`, `${body}:${i}`];
  let written = 0;
  for (let i = 0; i < 2_000; i++) for (const k of alike(i)) if (m.add(k, 1_000, 0)) written++;
  t.equal(written, 6_000);
  t.ok(alike(1_999).every((k) => m.has(k, 0)));
  t.notOk(alike(2_000).some((k) => m.has(k, 0)), 'not written: not found');
  t.notOk(m.add(alike(7)[1]!, 1_000, 0), 'written before');
  t.ok(m.add('a', 1_000, 0) && m.has('a', 0) && !m.has('b', 0), 'one-character markers');
});

t.test('a marker lives one to two periods, across a filter sized from the previous generation', async (t) => {
  const m = new SettledMarkers();
  for (let i = 0; i < 50_000; i++) m.add(`a${i}`, 1_000, 0);
  // Second period: the first generation is the previous one; the new one is sized for 50k.
  t.ok(m.has('a49999', 1_500), 'one period later: still remembered');
  for (let i = 0; i < 50_000; i++) m.add(`b${i}`, 1_000, 1_500);
  t.notOk(m.add('a123', 1_000, 1_600), 'the previous generation is checked on write too');
  t.ok(m.has('b0', 1_600));
  t.notOk(m.has('c0', 1_600));
  // Third period: the a's are two periods old.
  t.notOk(m.has('a0', 2_100), 'two periods later: forgotten');
  t.ok(m.has('b49999', 2_100));
  // No traffic for two periods: both generations end (the store's sweep).
  m.sweep(5_000);
  t.equal(m.size, 0);
});
