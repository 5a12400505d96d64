// The usage report of a unary JSON answer read from its end, without parsing the whole body: OpenAI and Anthropic
// put `usage` after the content. Only a member of the top-level object counts (the text after it must close exactly
// one level and end the body); anything this cannot show returns undefined and the caller parses the whole body.
import type { JsonObject, ProviderApi } from './api.js';
import { closesTopLevel, jsonStringEnd, skipJsonWhitespace } from './json-bytes.js';

/** How far from the end the usage key may sit, and how much of the head is read for the model. */
const END_BYTES = 4096;
const USAGE = Buffer.from('"usage"');
const USAGE_METADATA = Buffer.from('"usageMetadata"');

/** `{ usage, model }` (or Gemini's `{ usageMetadata }`) as the full parse would find them, or undefined. */
export function usageFromBodyEnd(body: Buffer, api: ProviderApi): JsonObject | undefined {
  const key = api === 'gemini' ? USAGE_METADATA : USAGE;
  const at = body.lastIndexOf(key);
  if (at === -1 || at < body.length - END_BYTES) return undefined;
  let i = skipJsonWhitespace(body, at + key.length);
  if (body[i] !== 0x3a /* : */) return undefined;
  i = skipJsonWhitespace(body, i + 1);
  if (body[i] !== 0x7b /* { */) return undefined;
  const end = valueEnd(body, i);
  if (end === -1 || !closesTopLevel(body, end)) return undefined;
  let usage: unknown;
  try {
    usage = JSON.parse(body.toString('utf8', i, end));
  } catch {
    return undefined;
  }
  const out: JsonObject = api === 'gemini' ? { usageMetadata: usage } : { usage };
  const model = topModel(body);
  if (model !== undefined) out.model = model;
  return out;
}

/** Index just past the object or array opening at `start`; -1 when the body ends first. */
function valueEnd(b: Buffer, start: number): number {
  let depth = 0;
  for (let j = start; j < b.length; j++) {
    const c = b[j];
    if (c === 0x22) {
      j = jsonStringEnd(b, j);
      if (j === -1) return -1;
    } else if (c === 0x7b || c === 0x5b) depth++;
    else if ((c === 0x7d || c === 0x5d) && --depth === 0) return j + 1;
  }
  return -1;
}


/** A top-level string `model` within the head of the body. */
function topModel(b: Buffer): string | undefined {
  const limit = Math.min(b.length, END_BYTES);
  let depth = 0;
  for (let j = skipJsonWhitespace(b, 0); j < limit; j++) {
    const c = b[j];
    if (c === 0x22) {
      const end = jsonStringEnd(b, j);
      if (end === -1) return undefined;
      // The key compared byte by byte: no string is made for the keys and values before it.
      if (depth === 1 && end - j === 6 && b[j + 1] === 0x6d && b[j + 2] === 0x6f && b[j + 3] === 0x64 && b[j + 4] === 0x65 && b[j + 5] === 0x6c) {
        let i = skipJsonWhitespace(b, end + 1);
        if (b[i] !== 0x3a) return undefined;
        i = skipJsonWhitespace(b, i + 1);
        const close = b[i] === 0x22 ? jsonStringEnd(b, i) : -1;
        return close === -1 ? undefined : stringAt(b, i, close);
      }
      j = end;
    } else if (c === 0x7b || c === 0x5b) depth++;
    else if (c === 0x7d || c === 0x5d) depth--;
  }
  return undefined;
}

/** The JSON string from the quote at `open` to the one at `close`: its bytes as they are when plain ASCII, else parsed. */
function stringAt(b: Buffer, open: number, close: number): string | undefined {
  for (let k = open + 1; k < close; k++) {
    const c = b[k]!;
    if (c === 0x5c || c >= 0x80) {
      try {
        const v: unknown = JSON.parse(b.toString('utf8', open, close + 1));
        return typeof v === 'string' ? v : undefined;
      } catch {
        return undefined;
      }
    }
  }
  return b.toString('latin1', open + 1, close);
}
