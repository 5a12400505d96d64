// Usage from a JSON body too big to parse on the event loop (embeddings, long unary answers, non-SSE streams): the
// `usage` / `usageMetadata` object is found from the end and only that object is parsed. Bounded work, no full parse.

export interface TailParts {
  usage?: Record<string, unknown>;
  usageMetadata?: Record<string, unknown>;
  model?: string;
}

/** Looks for the last `"usage":{...}` and `"usageMetadata":{...}` in `tail`, and `"model":"..."` in `head`. */
export function usageFromTail(tail: string, head = ''): TailParts {
  const out: TailParts = {};
  const usage = lastObject(tail, '"usage"');
  if (usage) out.usage = usage;
  const meta = lastObject(tail, '"usageMetadata"');
  if (meta) out.usageMetadata = meta;
  const model = /"(?:model|modelVersion)"\s*:\s*"([^"\\]{1,200})"/.exec(head) ?? /"(?:model|modelVersion)"\s*:\s*"([^"\\]{1,200})"/.exec(tail);
  if (model) out.model = model[1];
  return out;
}

function lastObject(text: string, key: string): Record<string, unknown> | undefined {
  for (let at = text.lastIndexOf(key); at !== -1; at = at === 0 ? -1 : text.lastIndexOf(key, at - 1)) {
    let i = at + key.length;
    while (i < text.length && /\s/.test(text[i]!)) i++;
    if (text[i] !== ':') continue;
    i++;
    while (i < text.length && /\s/.test(text[i]!)) i++;
    if (text[i] !== '{') continue;
    const end = matchBrace(text, i);
    if (end === -1) continue;
    try {
      const v: unknown = JSON.parse(text.slice(i, end + 1));
      if (typeof v === 'object' && v !== null) return v as Record<string, unknown>;
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
