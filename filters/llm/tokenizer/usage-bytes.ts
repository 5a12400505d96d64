// The usage numbers of a small unary JSON answer read straight from its bytes: no string decoding, no
// JSON.parse, no objects. It answers only where the object-based path (json-tail.ts usageAtTop + UsageTracker) gives
// the same numbers — the last top-level `"usage":{...}` of the body and a top-level string `model` — and declines
// (undefined) on anything it does not fully understand, so the caller falls back to that path.
import { closesTopLevel, jsonStringEnd, skipJsonWhitespace } from '../../../core/llm/index.js';

/** The fields UsageTracker's numbers come from (usage.ts fromUsage), as the upstream sent them; NaN when absent. */
export interface ScannedUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens: number;
  cache_creation_input_tokens: number;
  /** prompt_tokens_details.cached_tokens, input_tokens_details.cached_tokens, and the reasoning counts. */
  prompt_cached: number;
  input_cached: number;
  completion_reasoning: number;
  output_reasoning: number;
  /** A top-level member of the usage object is a number (UsageTracker's "usage seen"), after duplicate keys. */
  seen: boolean;
  /** Where the usage object sits, for usageText (decoded only when asked: log_to_console, or a later merge). */
  src: Buffer;
  start: number;
  end: number;
  /** Top-level members whose (last) value is a number: `seen` follows JSON's last-duplicate-wins rule. */
  numeric: string[];
}

/** The usage object's JSON text. */
export function usageText(u: ScannedUsage): string {
  return u.src.toString('utf8', u.start, u.end + 1);
}

const USAGE = Buffer.from('"usage"');
/** How far from the end the usage key may sit, and how much of the head may be read for the model (json-tail.ts). */
const END_BYTES = 4096;
const MODEL_WINDOW = 256;

/** The usage numbers and model of a unary body, or undefined when the object-based path must decide. */
export function scanUsageAtTop(body: Buffer): { usage: ScannedUsage; model: string } | undefined {
  const at = body.lastIndexOf(USAGE);
  if (at === -1 || at < body.length - END_BYTES) return undefined;
  let i = skipJsonWhitespace(body, at + USAGE.length);
  if (body[i] !== 0x3a /* : */) return undefined;
  i = skipJsonWhitespace(body, i + 1);
  if (body[i] !== 0x7b /* { */) return undefined;
  const usage = newScan(body, i);
  const end = scanObject(body, i, usage, 1);
  if (end === -1) return undefined;
  usage.end = end;
  usage.seen = usage.numeric.length > 0;
  // The rest must close exactly the top-level object and end the body (json-tail.ts closesOneLevel).
  if (!closesTopLevel(body, end + 1)) return undefined;
  const model = topModel(body);
  return model === undefined ? undefined : { usage, model };
}

function newScan(body: Buffer, start: number): ScannedUsage {
  return {
    prompt_tokens: NaN,
    completion_tokens: NaN,
    total_tokens: NaN,
    input_tokens: NaN,
    output_tokens: NaN,
    cache_read_input_tokens: NaN,
    cache_creation_input_tokens: NaN,
    prompt_cached: NaN,
    input_cached: NaN,
    completion_reasoning: NaN,
    output_reasoning: NaN,
    seen: false,
    src: body,
    start,
    end: start,
    numeric: [],
  };
}

/**
 * Scans the object opening at `start`; returns the index of its `}` or -1. depth 1 = the usage object, whose number
 * members and `*_details` objects are recorded; depth 2 = a details object (`detail` names which one).
 */
function scanObject(b: Buffer, start: number, u: ScannedUsage, depth: 1 | 2, detail = ''): number {
  let i = skipJsonWhitespace(b, start + 1);
  if (b[i] === 0x7d /* } */) return i;
  for (;;) {
    if (b[i] !== 0x22) return -1;
    // Keys with escapes are left to JSON.parse (keyEnd is -1 for them).
    const keyEnd = plainStringEnd(b, i);
    if (keyEnd === -1) return -1;
    const key = keyName(b, i + 1, keyEnd);
    i = skipJsonWhitespace(b, keyEnd + 1);
    if (b[i] !== 0x3a) return -1;
    i = skipJsonWhitespace(b, i + 1);
    const c = b[i];
    if (c === 0x2d /* - */ || (c !== undefined && c >= 0x30 && c <= 0x39)) {
      const end = numberEnd(b, i);
      const value = numberValue(b, i, end);
      if (Number.isNaN(value)) return -1;
      record(u, depth, detail, key, value);
      i = end;
    } else {
      if (depth === 1) forget(u, key);
      else record(u, depth, detail, key, NaN);
      // A details object replaces an earlier one with the same key (JSON.parse keeps the last duplicate).
      const end = c === 0x7b && depth === 1 && key.endsWith('_details') ? scanObject(b, i, u, 2, key) : skipValue(b, i);
      if (end === -1) return -1;
      i = end + 1;
    }
    i = skipJsonWhitespace(b, i);
    if (b[i] === 0x2c /* , */) {
      i = skipJsonWhitespace(b, i + 1);
      continue;
    }
    return b[i] === 0x7d ? i : -1;
  }
}

const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/** A JSON number's value; plain integers are read from the digits, anything else through its text. NaN: not JSON. */
function numberValue(b: Buffer, start: number, end: number): number {
  const first = b[start]!;
  if (end - start <= 15 && first >= 0x31 && first <= 0x39) {
    let v = 0;
    let j = start;
    for (; j < end; j++) {
      const c = b[j]!;
      if (c < 0x30 || c > 0x39) break;
      v = v * 10 + (c - 0x30);
    }
    if (j === end) return v;
  } else if (end - start === 1 && first === 0x30) return 0;
  const text = b.toString('latin1', start, end);
  return JSON_NUMBER.test(text) ? Number(text) : NaN;
}

/** Key names fromUsage reads, by length: matched byte for byte, so the usual keys cost no string decoding. */
const KNOWN_KEYS = new Map<number, Array<{ name: string; bytes: Buffer }>>();
for (const name of [
  'prompt_tokens',
  'completion_tokens',
  'total_tokens',
  'input_tokens',
  'output_tokens',
  'cache_read_input_tokens',
  'cache_creation_input_tokens',
  'prompt_tokens_details',
  'completion_tokens_details',
  'input_tokens_details',
  'output_tokens_details',
  'cached_tokens',
  'reasoning_tokens',
]) {
  const list = KNOWN_KEYS.get(name.length) ?? [];
  list.push({ name, bytes: Buffer.from(name, 'latin1') });
  KNOWN_KEYS.set(name.length, list);
}

function keyName(b: Buffer, start: number, end: number): string {
  const candidates = KNOWN_KEYS.get(end - start);
  if (candidates !== undefined) {
    outer: for (const k of candidates) {
      const kb = k.bytes;
      for (let j = 0; j < kb.length; j++) if (b[start + j] !== kb[j]) continue outer;
      return k.name;
    }
  }
  return b.toString('latin1', start, end);
}

/** A number member: recorded where fromUsage reads it; any top-level number marks the usage as seen. */
function record(u: ScannedUsage, depth: 1 | 2, detail: string, key: string, value: number): void {
  if (depth === 1) {
    forget(u, key);
    u.numeric.push(key);
    switch (key) {
      case 'prompt_tokens':
      case 'completion_tokens':
      case 'total_tokens':
      case 'input_tokens':
      case 'output_tokens':
      case 'cache_read_input_tokens':
      case 'cache_creation_input_tokens':
        u[key] = value;
    }
    return;
  }
  if (detail === 'prompt_tokens_details' && key === 'cached_tokens') u.prompt_cached = value;
  else if (detail === 'input_tokens_details' && key === 'cached_tokens') u.input_cached = value;
  else if (detail === 'completion_tokens_details' && key === 'reasoning_tokens') u.completion_reasoning = value;
  else if (detail === 'output_tokens_details' && key === 'reasoning_tokens') u.output_reasoning = value;
}

/** A later value of a top-level key replaces the earlier one (last key wins), whatever the types. */
function forget(u: ScannedUsage, key: string): void {
  const k = u.numeric.indexOf(key);
  if (k !== -1) u.numeric.splice(k, 1);
  switch (key) {
    case 'prompt_tokens':
    case 'completion_tokens':
    case 'total_tokens':
    case 'input_tokens':
    case 'output_tokens':
    case 'cache_read_input_tokens':
    case 'cache_creation_input_tokens':
      u[key] = NaN;
      return;
    case 'prompt_tokens_details':
      u.prompt_cached = NaN;
      return;
    case 'input_tokens_details':
      u.input_cached = NaN;
      return;
    case 'completion_tokens_details':
      u.completion_reasoning = NaN;
      return;
    case 'output_tokens_details':
      u.output_reasoning = NaN;
  }
}

function numberEnd(b: Buffer, i: number): number {
  let j = i;
  for (let c = b[j]; c !== undefined && ((c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2b || c === 0x2e || c === 0x65 || c === 0x45); c = b[++j]);
  return j;
}

/** Index of the last byte of the value at `i` (string, object, array, literal), or -1. */
function skipValue(b: Buffer, i: number): number {
  const c = b[i];
  if (c === 0x22) return jsonStringEnd(b, i);
  if (c === 0x7b || c === 0x5b) {
    let depth = 0;
    for (let j = i; j < b.length; j++) {
      const d = b[j];
      if (d === 0x22) {
        j = jsonStringEnd(b, j);
        if (j === -1) return -1;
      } else if (d === 0x7b || d === 0x5b) depth++;
      else if ((d === 0x7d || d === 0x5d) && --depth === 0) return j;
    }
    return -1;
  }
  // true, false, null
  let j = i;
  while (j < b.length && b[j]! >= 0x61 && b[j]! <= 0x7a) j++;
  const word = b.toString('latin1', i, j);
  return word === 'true' || word === 'false' || word === 'null' ? j - 1 : -1;
}


/** stringEnd for a string without escapes; -1 when it has one. */
function plainStringEnd(b: Buffer, start: number): number {
  for (let j = start + 1; j < b.length; j++) {
    const c = b[j]!;
    if (c === 0x22) return j;
    if (c === 0x5c || c < 0x20) return -1;
  }
  return -1;
}



/**
 * The top-level object's string `model` member: one pass over the head, like json-tail.ts topLevelModel (the first
 * depth-1 string "model" decides; no ':' after it, or a value that is not a plain ASCII string, declines).
 */
function topModel(b: Buffer): string | undefined {
  let j = skipJsonWhitespace(b, 0);
  if (b[j] !== 0x7b) return undefined;
  let depth = 0;
  const limit = Math.min(b.length, END_BYTES);
  for (; j < limit; j++) {
    const c = b[j];
    if (c === 0x22) {
      const end = jsonStringEnd(b, j);
      if (end === -1) return undefined;
      if (depth === 1 && end - j === 6 && b[j + 1] === 0x6d && b[j + 2] === 0x6f && b[j + 3] === 0x64 && b[j + 4] === 0x65 && b[j + 5] === 0x6c) {
        return modelValue(b, end + 1);
      }
      j = end;
    } else if (c === 0x7b || c === 0x5b) depth++;
    else if (c === 0x7d || c === 0x5d) depth--;
  }
  return undefined;
}

function modelValue(b: Buffer, from: number): string | undefined {
  let i = skipJsonWhitespace(b, from);
  if (b[i] !== 0x3a) return undefined;
  i = skipJsonWhitespace(b, i + 1);
  if (b[i] !== 0x22) return undefined;
  const end = jsonStringEnd(b, i);
  if (end === -1 || end - i > MODEL_WINDOW || end >= END_BYTES) return undefined;
  // Escapes and non-ASCII are left to JSON.parse (rare in model names).
  for (let j = i + 1; j < end; j++) if (b[j] === 0x5c || b[j]! >= 0x80) return undefined;
  return b.toString('latin1', i + 1, end);
}
