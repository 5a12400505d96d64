// Finish reasons of an OpenAI chat answer found by bytes, for subscribers that want only them (a span's
// gen_ai.response.finish_reasons): a stream's events with a `"finish_reason":"…"` are parsed alone, a unary body is
// not parsed at all. An unescaped `"finish_reason"` can only be a key: inside a JSON string its quotes are escaped.
import { parseSseBlock } from '../index.js';
import type { ResponseItem } from './items.js';
import type { FinishReason } from './pivot.js';

export type FinishItem = ResponseItem & { type: 'finish' };

export const FINISH_BYTES = Buffer.from('"finish_reason"');
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** Where the value of the `"finish_reason"` key at `at` starts (after blanks and the colon). */
function valueAt(buf: Buffer, at: number): number {
  let i = at + FINISH_BYTES.length;
  while (i < buf.length && (buf[i] === 0x20 || buf[i] === 0x3a || buf[i] === 0x0a || buf[i] === 0x0d || buf[i] === 0x09)) i++;
  return i;
}

/** True when the `"finish_reason"` key at `at` has a string value (OpenAI chunks repeat `"finish_reason":null`). */
export function finishValueAt(buf: Buffer, at: number): boolean {
  return buf[valueAt(buf, at)] === QUOTE;
}

/** True when some `"finish_reason"` key of the event has a string value. */
export function hasFinishValue(block: Buffer): boolean {
  for (let at = block.indexOf(FINISH_BYTES); at !== -1; at = block.indexOf(FINISH_BYTES, at + FINISH_BYTES.length)) {
    if (finishValueAt(block, at)) return true;
  }
  return false;
}

/** The finish items of one OpenAI chat chunk event, as its decoder gives them (choices[].finish_reason). */
export function finishItemsOfEvent(block: Buffer): FinishItem[] {
  const ev = parseSseBlock(block);
  if (ev === undefined) return [];
  let obj: unknown;
  try {
    obj = JSON.parse(ev.data);
  } catch {
    return [];
  }
  const choices = (obj as { choices?: unknown } | null)?.choices;
  if (!Array.isArray(choices)) return [];
  const out: FinishItem[] = [];
  for (const c of choices as Array<{ index?: unknown; finish_reason?: unknown } | null>) {
    if (typeof c?.finish_reason === 'string' && c.finish_reason !== '') out.push({ type: 'finish', choice: typeof c.index === 'number' ? c.index : 0, reason: c.finish_reason as FinishReason });
  }
  return out;
}

/**
 * The finish items of a unary OpenAI chat completion, one per string `finish_reason` in body order (choices come in
 * index order); undefined when a value is not a plain string (escapes): the caller then parses the body.
 */
export function finishItemsOfBody(body: Buffer): FinishItem[] | undefined {
  const out: FinishItem[] = [];
  for (let at = body.indexOf(FINISH_BYTES); at !== -1; at = body.indexOf(FINISH_BYTES, at + FINISH_BYTES.length)) {
    const v = valueAt(body, at);
    if (body[v] !== QUOTE) continue;
    const end = body.indexOf(QUOTE, v + 1);
    if (end === -1 || body.indexOf(BACKSLASH, v + 1) !== -1 && body.indexOf(BACKSLASH, v + 1) < end) return undefined;
    if (end > v + 1) out.push({ type: 'finish', choice: out.length, reason: body.toString('latin1', v + 1, end) as FinishReason });
  }
  return out;
}
