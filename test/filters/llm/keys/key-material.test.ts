// Key material: the shape of generated keys, the stored digest and prefix, and the master key comparison.
import { createHash } from 'node:crypto';
import t from 'tap';
import { base62, displayPrefixOf, generateKey, hashKey, masterKeyMatches } from '../../../../filters/llm/keys/key-material.js';

t.test('a key is sk-dgp- and 43 base62 digits; the store keeps its SHA-256 hex and a short prefix', async (t) => {
  const k = generateKey();
  t.match(k.plaintext, /^sk-dgp-[0-9A-Za-z]{43}$/);
  t.equal(k.hash, createHash('sha256').update(k.plaintext).digest('hex'));
  t.equal(k.hash, hashKey(k.plaintext));
  t.equal(k.displayPrefix, `${k.plaintext.slice(0, 11)}…`);
  t.notOk(k.displayPrefix.includes(k.plaintext.slice(11)), 'the prefix reveals 4 secret characters only');
  const many = new Set(Array.from({ length: 200 }, () => generateKey().plaintext));
  t.equal(many.size, 200);
  t.match(generateKey('sk-team-').plaintext, /^sk-team-[0-9A-Za-z]{43}$/);
});

t.test('base62 is big-endian, fixed width, and covers the largest 32-byte value', async (t) => {
  t.equal(base62(new Uint8Array([0])), '0'.repeat(43));
  t.equal(base62(new Uint8Array([61])), `${'0'.repeat(42)}z`);
  t.equal(base62(new Uint8Array([62])), `${'0'.repeat(41)}10`);
  t.equal(base62(new Uint8Array(32).fill(255)).length, 43);
  t.equal(displayPrefixOf('abcdefgh'), 'abcd…');
});

t.test('the master key matches only itself; empty or missing never matches', async (t) => {
  t.equal(masterKeyMatches('sk-master', 'sk-master'), true);
  t.equal(masterKeyMatches('sk-maste', 'sk-master'), false, 'a shorter guess fails without throwing');
  t.equal(masterKeyMatches('sk-master-longer', 'sk-master'), false);
  t.equal(masterKeyMatches('', ''), false, 'no master key configured: the key API is off');
  t.equal(masterKeyMatches(undefined, 'sk-master'), false);
  t.equal(masterKeyMatches('x', undefined), false);
});
