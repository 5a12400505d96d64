// Usage from a JSON body too big to parse on the event loop (embeddings, long unary answers, non-SSE streams): the
// `usage` / `usageMetadata` object is found from the end and only that object is parsed. Bounded work, no full parse.
// Small unary answers use the same trick (usageAtTop) when it can be shown to be exact, after the byte-level scan of
// usage-bytes.ts declined.

export interface TailParts {
  usage?: Record<string, unknown>;
  usageMetadata?: Record<string, unknown>;
  model?: string;
}

/** Looks for the last `"usage":{...}` and `"usageMetadata":{...}` in `tail`, and `"model":"..."` in `head`. */
export function usageFromTail(tail: string, head = ''): TailParts {
  const out: TailParts = {};
  const usage = lastObject(tail, '"usage"');
  if (usage) out.usage = usage.value;
  const meta = lastObject(tail, '"usageMetadata"');
  if (meta) out.usageMetadata = meta.value;
  const model = /"(?:model|modelVersion)"\s*:\s*"([^"\\]{1,200})"/.exec(head) ?? /"(?:model|modelVersion)"\s*:\s*"([^"\\]{1,200})"/.exec(tail);
  if (model) out.model = model[1];
  return out;
}

/** How much of each end of a unary body usageAtTop decodes. */
const END_BYTES = 4096;

/**
 * Usage and model of a unary JSON answer read from its two ends, without parsing the whole body: OpenAI, Anthropic
 * and the Responses API put `usage` after the content, and the model near the start. Only members of the top-level
 * object count: the text after the usage object must close exactly one level and end the body, and `model` must be
 * a key at depth 1. Undefined when either cannot be shown; the caller then parses the whole body.
 */
export function usageAtTop(body: Buffer): TailParts | undefined {
  const whole = body.length <= END_BYTES;
  const tail = whole ? body.toString('utf8') : body.toString('utf8', body.length - END_BYTES);
  const usage = lastObject(tail, '"usage"');
  if (usage === undefined || !closesOneLevel(tail, usage.end + 1)) return undefined;
  const model = topLevelModel(whole ? tail : body.toString('utf8', 0, END_BYTES));
  return model === undefined ? undefined : { usage: usage.value, model };
}

/** True when, from `from` on, the first bracket that closes more than it opened is the body's last character. */
function closesOneLevel(text: string, from: number): boolean {
  let depth = 0;
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      i = stringEnd(text, i);
      if (i === -1) return false;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) depth++;
    else if ((c === 0x7d /* } */ || c === 0x5d /* ] */) && --depth < 0) return text.slice(i + 1).trim() === '';
  }
  return false;
}

/** The string value of the top-level object's `model` key, when `head` shows it. */
function topLevelModel(head: string): string | undefined {
  let depth = 0;
  for (let i = head.search(/\S/); i >= 0 && i < head.length; i++) {
    const c = head.charCodeAt(i);
    if (c === 0x22 /* " */) {
      const end = stringEnd(head, i);
      if (end === -1) return undefined;
      if (depth === 1 && end - i === 6 && head.startsWith('model', i + 1)) {
        const colon = head.slice(end + 1).search(/\S/) + end + 1;
        if (head[colon] !== ':') return undefined;
        const start = head.slice(colon + 1).search(/\S/) + colon + 1;
        const valueEnd = head[start] === '"' ? stringEnd(head, start) : -1;
        return valueEnd === -1 ? undefined : jsonString(head.slice(start, valueEnd + 1));
      }
      i = end;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (depth === 0 && c !== 0x7b) return undefined;
      depth++;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) depth--;
  }
  return undefined;
}

function jsonString(literal: string): string | undefined {
  try {
    return JSON.parse(literal) as string;
  } catch {
    return undefined;
  }
}

/** Index of the `"` closing the string that opens at `start`; -1 when it is not closed in `text`. */
function stringEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c /* \ */) i++;
    else if (c === 0x22 /* " */) return i;
  }
  return -1;
}

function lastObject(text: string, key: string): { value: Record<string, unknown>; end: number } | undefined {
  for (let at = text.lastIndexOf(key); at !== -1; at = at === 0 ? -1 : text.lastIndexOf(key, at - 1)) {
    let i = at + key.length;
    while (i < text.length && isSpace(text.charCodeAt(i))) i++;
    if (text[i] !== ':') continue;
    i++;
    while (i < text.length && isSpace(text.charCodeAt(i))) i++;
    if (text[i] !== '{') continue;
    const end = matchBrace(text, i);
    if (end === -1) continue;
    try {
      const v: unknown = JSON.parse(text.slice(i, end + 1));
      if (typeof v === 'object' && v !== null) return { value: v as Record<string, unknown>, end };
    } catch {
      // Not a real object boundary (the key text sat inside a string); keep looking further back.
    }
  }
  return undefined;
}

/** Index of the `}` closing the `{` at `start`, honouring strings and escapes; -1 when it is not closed. */
function matchBrace(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b /* { */) depth++;
    else if (c === 0x7d /* } */ && --depth === 0) return i;
  }
  return -1;
}

/** JSON's insignificant whitespace (and the rest of what /\s/ matched before, for the same results). */
function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || ((c < 0x20 || c > 0x7e) && /\s/.test(String.fromCharCode(c)));
}
