// The nesting bound checked before a parsed body is translated: translators, structuredClone and JSON.stringify
// recurse, so a deep enough body ("[[[[…") would overflow the stack inside them. The walk itself is iterative and
// visits each array and object once (strings and numbers are leaves), so a large body of long strings costs little.
import { RequestTooDeep } from './errors.js';

export const MAX_JSON_DEPTH = 128;

/** Throws DGP_ERR_PROXY_REQUEST_TOO_DEEP when `value` nests arrays/objects deeper than `max` levels. */
export function assertJsonDepth(value: unknown, max = MAX_JSON_DEPTH): void {
  if (typeof value !== 'object' || value === null) return;
  const stack: Array<{ v: object; depth: number }> = [{ v: value, depth: 1 }];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    if (top.depth > max) throw RequestTooDeep(`the request body nests deeper than ${max} levels`, { hint: 'flatten the JSON body' });
    const children = Array.isArray(top.v) ? top.v : Object.values(top.v);
    for (const c of children) if (typeof c === 'object' && c !== null) stack.push({ v: c, depth: top.depth + 1 });
  }
}
