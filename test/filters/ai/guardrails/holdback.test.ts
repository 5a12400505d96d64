// The hold-back window alone: whatever the chunking (one character at a time included), the released text is the
// input with every match masked, nothing of a match is released before it is complete, a PEM block much longer than
// the window is masked whole, and the window is bounded by maxHold.
import t from 'tap';
import type { WorkerPoolApi } from '../../../../core/index.js';
import { compileRules, type Rule } from '../../../../filters/ai/guardrails/compile.js';
import { HoldBackWindow } from '../../../../filters/ai/guardrails/holdback.js';

const pool = { threads: 1, run: () => Promise.reject(new Error('no pool in this test')) } as unknown as WorkerPoolApi;
const rules = (action: 'redact' | 'block'): Rule[] => compileRules([{ check: 'secrets', action }, { check: 'pii', entities: ['email', 'card'], action }], 'output');

async function stream(pieces: string[], action: 'redact' | 'block', holdback = 32, maxHold = 1 << 20): Promise<{ released: string[]; blocked?: string; maxHeld: number }> {
  const w = new HoldBackWindow(rules(action), holdback, maxHold, pool, { fired: () => undefined, undecided: () => true });
  const released: string[] = [];
  let maxHeld = 0;
  for (const p of pieces) {
    const s = await w.push(p);
    maxHeld = Math.max(maxHeld, w.held);
    if (s.block) return { released, blocked: s.block.name, maxHeld };
    released.push(s.release);
  }
  const s = await w.end();
  if (s.block) return { released, blocked: s.block.name, maxHeld };
  released.push(s.release);
  return { released, maxHeld };
}

const chars = (s: string): string[] => [...s];
const PEM = `-----BEGIN PRIVATE KEY-----\n${'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n'.repeat(40)}-----END PRIVATE KEY-----`;

t.test('one character at a time: the output is the input with matches masked', async (t) => {
  const text = 'Mail bob@example.com, pay with 4111 1111 1111 1111, key sk-abcdefghijklmnopqrstuvwxyz012345 ok.';
  const r = await stream(chars(text), 'redact');
  t.equal(r.released.join(''), 'Mail [EMAIL], pay with [CARD], key [SECRET] ok.');
  // No released piece holds a prefix of a match: every piece is a prefix of the masked text at a clean cut.
  let so = '';
  for (const p of r.released) {
    so += p;
    t.notMatch(so, /bob@|4111|sk-a/);
  }
});

t.test('a PEM block 40 lines long, streamed in small pieces with a 32-character window, is masked whole', async (t) => {
  const text = `here:\n${PEM}\nthat was it`;
  const pieces: string[] = [];
  for (let i = 0; i < text.length; i += 7) pieces.push(text.slice(i, i + 7));
  const r = await stream(pieces, 'redact');
  t.equal(r.released.join(''), 'here:\n[SECRET]\nthat was it');
  t.notMatch(r.released.join(''), /MIIE/);
});

t.test('block: the stream stops before any part of the match is released', async (t) => {
  const r = await stream(chars('All fine so far, and now sk-abcdefghijklmnopqrstuvwxyz012345 more'), 'block');
  t.equal(r.blocked, 'secrets');
  t.notMatch(r.released.join(''), /sk-/);
  t.ok(r.released.join('').startsWith('All fine'), 'text before it, checked, was released');
});

t.test('maxHold bounds the window: a match still growing is masked as it stands, a PEM body suppressed to its END', async (t) => {
  const r = await stream([`x ${PEM.slice(0, 600)}`, PEM.slice(600), '\nafter'], 'redact', 32, 1024);
  t.ok(r.maxHeld <= 1024 + 1200, `held at most ${r.maxHeld}`);
  t.equal(r.released.join(''), 'x [SECRET]\nafter');
});

t.test('maxHold reached inside an open PEM block: masked, and its body dropped until the END line', async (t) => {
  const end = PEM.indexOf('-----END');
  t.ok(end > 1100);
  // The END line itself arrives split over two chunks.
  const r = await stream([`x ${PEM.slice(0, 1100)}`, PEM.slice(1100, end + 9), PEM.slice(end + 9), '\nafter'], 'redact', 32, 1024);
  t.equal(r.released.join(''), 'x [SECRET]\nafter');
  t.notMatch(r.released.join(''), /MIIE|END/);
});
