// Virtual key material: generation (`sk-dgp-` + base62 of 32 random bytes), the SHA-256 digest the store keeps, the
// display prefix shown in lists, and the constant-time master key comparison. The plaintext exists only in the value
// `generateKey` returns; nothing here logs it.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const KEY_PREFIX = 'sk-dgp-';
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** 32 bytes = 256 bits need ceil(256 / log2(62)) = 43 base62 digits; left-padded so every key has the same length. */
const DIGITS = 43;
/** Characters of the secret part kept in the display prefix: enough to tell keys apart, far too few to guess from. */
const DISPLAY_CHARS = 4;

export interface GeneratedKey {
  /** The key to hand to the client once; never stored, never logged. */
  readonly plaintext: string;
  /** Lower-case hex SHA-256 of the plaintext: what the store keeps and looks keys up by. */
  readonly hash: string;
  /** e.g. `sk-dgp-Ab3d…`, safe to show in lists and logs. */
  readonly displayPrefix: string;
}

/** Base62 of a byte string, big-endian, left-padded with '0' to `width`. */
export function base62(bytes: Uint8Array, width = DIGITS): string {
  let n = BigInt(`0x${Buffer.from(bytes).toString('hex') || '0'}`);
  let out = '';
  while (n > 0n) {
    out = BASE62[Number(n % 62n)] + out;
    n /= 62n;
  }
  return out.padStart(width, '0');
}

export function hashKey(plaintext: string): string {
  return createHash('sha256').update(plaintext, 'utf8').digest('hex');
}

export function displayPrefixOf(plaintext: string): string {
  const secretStart = plaintext.startsWith(KEY_PREFIX) ? KEY_PREFIX.length : 0;
  return `${plaintext.slice(0, secretStart + DISPLAY_CHARS)}…`;
}

/** A new random key. `prefix` lets an operator brand keys (default `sk-dgp-`). */
export function generateKey(prefix = KEY_PREFIX): GeneratedKey {
  const plaintext = prefix + base62(randomBytes(32));
  return { plaintext, hash: hashKey(plaintext), displayPrefix: displayPrefixOf(plaintext) };
}

/**
 * Compares a presented secret with the configured master key in constant time. Both sides are hashed first so the
 * comparison neither leaks the length of the master key nor throws on a length mismatch (`timingSafeEqual` demands
 * equal lengths). An empty master key matches nothing: the key API is off without one.
 */
export function masterKeyMatches(presented: string | undefined, masterKey: string | undefined): boolean {
  if (masterKey === undefined || masterKey === '' || presented === undefined) return false;
  const a = createHash('sha256').update(presented, 'utf8').digest();
  const b = createHash('sha256').update(masterKey, 'utf8').digest();
  return timingSafeEqual(a, b);
}
