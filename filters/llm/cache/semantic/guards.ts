// Guards that refuse a semantic hit a similarity score cannot see: questions that differ in a number ("3" vs "4"),
// in polarity ("turn on" vs "turn off", "can" vs "cannot"), or in a named entity (capitalised words past a sentence
// start). Embeddings place such pairs close together; the answer to one is wrong for the other.
import { tokenize } from './lexical.js';

export type Guard = 'numbers' | 'negation' | 'entities';

const NUMBER_WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve', 'twenty', 'thirty', 'forty', 'fifty', 'hundred', 'thousand', 'million', 'billion', 'first', 'second', 'third', 'half', 'double', 'twice'];
/** Words that flip or set a question's polarity; both members of common opposite pairs are listed. */
const POLARITY = [
  'not', 'no', 'never', 'none', 'nothing', 'nobody', 'neither', 'nor', 'without', 'cannot', 'cant', "can't", "don't", 'dont', "doesn't",
  'doesnt', "isn't", 'isnt', "aren't", "won't", "wasn't", "shouldn't", "wouldn't", "couldn't", "didn't", 'on', 'off', 'enable', 'enabled',
  'disable', 'disabled', 'open', 'close', 'start', 'stop', 'allow', 'deny', 'block', 'unblock', 'add', 'remove', 'increase', 'decrease',
  'more', 'less', 'before', 'after', 'above', 'below', 'max', 'min', 'maximum', 'minimum', 'true', 'false', 'yes', 'in', 'out', 'up', 'down',
  'lock', 'unlock', 'include', 'exclude', 'accept', 'reject', 'install', 'uninstall', 'encrypt', 'decrypt', 'buy', 'sell', 'win', 'lose',
];
const NUMBER_SET = new Set(NUMBER_WORDS);
const POLARITY_SET = new Set(POLARITY);

const sorted = (s: Iterable<string>): string => [...new Set(s)].sort().join('\u0000');

function numbers(text: string): string {
  const digits = (text.match(/\d+(?:[.,]\d+)*/g) ?? []).map((n) => n.replace(/,/g, ''));
  return sorted([...digits, ...tokenize(text).filter((w) => NUMBER_SET.has(w))]);
}

function polarity(text: string): string {
  return sorted(tokenize(text).filter((w) => POLARITY_SET.has(w) || w.endsWith("n't")));
}

function entities(text: string): string {
  const out: string[] = [];
  for (const sentence of text.split(/[.!?\n]+/)) {
    const words = sentence.trim().split(/\s+/).slice(1);
    for (const w of words) {
      const m = /^[\p{Lu}][\p{L}\p{N}]+/u.exec(w);
      if (m) out.push(m[0]);
    }
  }
  return sorted(out);
}

const CHECKS: Record<Guard, (t: string) => string> = { numbers, negation: polarity, entities };

/** The first guard the two questions fail, or undefined when none refuses the hit. */
export function failedGuard(guards: readonly Guard[], asked: string, stored: string): Guard | undefined {
  return guards.find((g) => CHECKS[g](asked) !== CHECKS[g](stored));
}
