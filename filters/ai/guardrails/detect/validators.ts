// Validators that turn regex candidates into findings: the checksum or numbering rule of each identifier, so that a
// number that only looks like a card, IBAN or SSN is left alone (Luhn, ISO 13616 mod-97, SSA area/group/serial rules).
import { isIPv4, isIPv6 } from 'node:net';

const digitsOf = (s: string): string => s.replace(/[^0-9]/g, '');

/** Luhn (ISO/IEC 7812-1) over 13–19 digits. */
export function isCardNumber(candidate: string): boolean {
  const d = digitsOf(candidate);
  if (d.length < 13 || d.length > 19) return false;
  // Separators, when used, are one kind only ("4111 1111-1111 1111" is not how cards are written).
  const seps = candidate.replace(/[0-9]/g, '');
  if (seps !== '' && !/^( +|-+)$/.test(seps)) return false;
  if (/^(\d)\1+$/.test(d)) return false;
  let sum = 0;
  for (let i = 0; i < d.length; i++) {
    let n = d.charCodeAt(d.length - 1 - i) - 48;
    if (i % 2 === 1) {
      n *= 2;
      if (n > 9) n -= 9;
    }
    sum += n;
  }
  return sum % 10 === 0;
}

/** ISO 13616: country letters, two check digits, BBAN; the number mod 97 (letters as 10..35) is 1. */
export function isIban(candidate: string): boolean {
  const s = candidate.replace(/ /g, '').toUpperCase();
  if (s.length < 15 || s.length > 34 || !/^[A-Z]{2}\d{2}[A-Z0-9]+$/.test(s)) return false;
  const moved = s.slice(4) + s.slice(0, 4);
  let rem = 0;
  for (const ch of moved) {
    const v = ch >= 'A' ? ch.charCodeAt(0) - 55 : ch.charCodeAt(0) - 48;
    rem = v > 9 ? (rem * 100 + v) % 97 : (rem * 10 + v) % 97;
  }
  return rem === 1;
}

/** US SSN: area not 000, 666 or 900–999; group not 00; serial not 0000; two numbers SSA voided from advertising. */
export function isSsn(candidate: string): boolean {
  const d = digitsOf(candidate);
  if (d.length !== 9) return false;
  const area = Number(d.slice(0, 3));
  if (area === 0 || area === 666 || area >= 900) return false;
  if (d.slice(3, 5) === '00' || d.slice(5) === '0000') return false;
  return d !== '078051120' && d !== '219099999';
}

/** Dotted quad with each octet 0–255 and no leading zeros (which some parsers read as octal). */
export function isIpv4Address(candidate: string): boolean {
  return isIPv4(candidate) && !/(^|\.)0\d/.test(candidate);
}

/** An IPv6 address with at least three non-empty groups (so `d::` in C++ or `12:30:45` times are not addresses). */
export function isIpv6Address(candidate: string): boolean {
  if (!isIPv6(candidate)) return false;
  return candidate.split(':').filter((g) => g !== '').length >= 3;
}

/**
 * Phone numbers: E.164 (`+` and 8–15 digits), NANP national (10 digits, area and exchange not starting with 0/1),
 * Vietnamese national numbers (mobile 0[35789] + 8 digits, landline 02 + 9 digits).
 */
export function isPhone(candidate: string): boolean {
  const d = digitsOf(candidate);
  if (candidate.startsWith('+')) {
    if (d.length < 8 || d.length > 15) return false;
    // +84: Vietnam's national significant number is 9 digits (mobile 3/5/7/8/9…, landline 2…) or 10 for landlines.
    if (d.startsWith('84')) return /^84(?:[35789]\d{8}|2\d{9})$/.test(d);
    return true;
  }
  if (d.startsWith('0')) return /^0(?:[35789]\d{8}|2\d{9})$/.test(d);
  return /^[2-9]\d{2}[2-9]\d{6}$/.test(d.length === 11 && d.startsWith('1') ? d.slice(1) : d);
}

/**
 * Province and city codes of the Vietnamese 12-digit citizen identity number (Circular 07/2016/TT-BCA): the first
 * three digits; the fourth is the century-and-gender digit (0–9 are all used), the next two the birth year.
 */
const VN_PROVINCES = new Set(
  ('001 002 004 006 008 010 011 012 014 015 017 019 020 022 024 025 026 027 030 031 033 034 035 036 037 038 040 042 044 ' +
    '045 046 048 049 051 052 054 056 058 060 062 064 066 067 068 070 072 074 075 077 079 080 082 083 084 086 087 089 091 ' +
    '092 093 094 095 096').split(' '),
);

export function isVnCitizenId(candidate: string): boolean {
  return /^\d{12}$/.test(candidate) && VN_PROVINCES.has(candidate.slice(0, 3));
}

/** Email: one @, a dotted domain whose labels do not start or end with a hyphen, a local part without `..`. */
export function isEmail(candidate: string): boolean {
  const at = candidate.lastIndexOf('@');
  const local = candidate.slice(0, at);
  const domain = candidate.slice(at + 1);
  if (local === '' || local.startsWith('.') || local.endsWith('.') || local.includes('..')) return false;
  return domain.split('.').every((l) => l !== '' && !l.startsWith('-') && !l.endsWith('-'));
}

/** A JWT: the header segment is base64url JSON naming an `alg`. */
export function isJwt(candidate: string): boolean {
  const head = candidate.slice(0, candidate.indexOf('.'));
  try {
    const obj = JSON.parse(Buffer.from(head, 'base64url').toString('utf8')) as unknown;
    return typeof obj === 'object' && obj !== null && 'alg' in obj;
  } catch {
    return false;
  }
}
