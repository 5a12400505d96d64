// Byte-level JSON helpers for reading a member out of a body without parsing it whole: the end of a string, the end
// of whitespace, and whether the rest of a body only closes the top-level value. Shared by the exchange's unary usage
// read (usage-scan.ts) and the tokenizer's fallback reader.

/** The index of the closing quote of the string opening at `start`, or -1 (unterminated, or a raw control character). */
export function jsonStringEnd(b: Buffer, start: number): number {
  for (let j = start + 1; j < b.length; j++) {
    const c = b[j]!;
    if (c === 0x5c /* \ */) j++;
    else if (c === 0x22) return j;
    else if (c < 0x20) return -1;
  }
  return -1;
}

/** The first index at or after `i` that is not JSON whitespace. */
export function skipJsonWhitespace(b: Buffer, i: number): number {
  for (let c = b[i]; c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09; c = b[++i]);
  return i;
}

/** From `from` on: members of the enclosing (top-level) value only, then its closing bracket and nothing but whitespace. */
export function closesTopLevel(b: Buffer, from: number): boolean {
  let depth = 0;
  for (let j = from; j < b.length; j++) {
    const c = b[j];
    if (c === 0x22) {
      j = jsonStringEnd(b, j);
      if (j === -1) return false;
    } else if (c === 0x7b || c === 0x5b) depth++;
    else if ((c === 0x7d || c === 0x5d) && --depth < 0) return skipJsonWhitespace(b, j + 1) === b.length;
  }
  return false;
}
