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

t.test('any chunking gives the same output as masking the whole text at once (seeded, 300 cuts)', async (t) => {
  const { piiDetectors, secretDetectors } = await import('../../../../filters/ai/guardrails/detect/builtins.js');
  const { redactText, scanInline } = await import('../../../../filters/ai/guardrails/detect/scan.js');
  const text =
    'Reach anna.b@example.org or +84 912 345 678; card 5555-5555-5555-4444, IBAN GB82 WEST 1234 5698 7654 32, ' +
    'ssn 536-22-1234, host 2001:db8:85a3::8a2e:370:7334 and 192.168.0.7, CCCD 079099001234, key AKIAIOSFODNN7EXAMPLE, ' +
    `token ghp_${'x'.repeat(36)} — and ordinary text with numbers 1234 5678 and dates 2024-01-15 that must stay.`;
  const whole = redactText(text, scanInline([...secretDetectors(), ...piiDetectors(['email', 'phone', 'card', 'iban', 'ssn', 'ip', 'vn_citizen_id'])], [text]));
  const all = compileRules([{ check: 'secrets', action: 'redact' }, { check: 'pii', action: 'redact' }], 'output');
  let seed = 7;
  const rand = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
  for (let i = 0; i < 300; i++) {
    const holdback = 48 + rand(200);
    const w = new HoldBackWindow(all, holdback, 1 << 20, pool, { fired: () => undefined, undecided: () => true });
    let out = '';
    for (let at = 0; at < text.length; ) {
      const n = 1 + rand(i % 3 === 0 ? 3 : 40);
      out += (await w.push(text.slice(at, at + n))).release;
      at += n;
    }
    out += (await w.end()).release;
    if (out !== whole) return void t.equal(out, whole, `cut ${i}, hold-back ${holdback}`);
  }
  t.pass('300 chunkings, all equal to the whole-text masking');
  t.notMatch(whole, /anna|912 345|5555|GB82|536-22|2001:db8|192\.168|079099|AKIA|ghp_/);
  t.match(whole, /1234 5678 and dates 2024-01-15 that must stay/);
});

t.test('overlapping matches of two rules across the release point: neither is released in part', async (t) => {
  // The deny pattern overlaps the email's start; the email runs past the release point.
  const rules2 = compileRules([{ check: 'deny', words: ['contact alice'], action: 'redact' }, { check: 'pii', entities: ['email'], action: 'redact' }], 'output');
  const w = new HoldBackWindow(rules2, 20, 1 << 20, pool, { fired: () => undefined, undecided: () => true });
  let out = (await w.push('Please contact alice')).release;
  out += (await w.push('.smith@example.com today, thanks a lot for everything')).release;
  t.notMatch(out, /alice|smith/);
  out += (await w.end()).release;
  t.notMatch(out, /alice|smith|example/);
});
