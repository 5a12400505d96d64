// Writes Server-Sent Events in the canonical form (LF line endings, one `data:` line per data line, blank line after),
// so that any WHATWG parser — ours included — reads back exactly the fields given.
import { DgpError } from '../errors.js';

export interface SseOutgoingEvent {
  /** Split on CRLF, CR or LF into one `data:` line each. Omit for a comment-only or retry-only block. */
  data?: string;
  /** The `event:` field; omitted when undefined or 'message' (the parser's default). */
  event?: string;
  id?: string;
  /** Reconnection time in milliseconds (a non-negative integer). */
  retry?: number;
  /** Written as `: <comment>` lines before the fields (keep-alives, notes). */
  comment?: string;
}

const NEWLINE = /\r\n|\r|\n/;

export function serializeSseEvent(ev: SseOutgoingEvent): string {
  let out = '';
  if (ev.comment !== undefined) for (const line of ev.comment.split(NEWLINE)) out += `: ${line}\n`;
  if (ev.event !== undefined && ev.event !== 'message') out += `event: ${singleLine('event', ev.event)}\n`;
  if (ev.id !== undefined) {
    if (ev.id.includes('\0')) throw invalid('id', 'contains a NUL character, which parsers ignore');
    out += `id: ${singleLine('id', ev.id)}\n`;
  }
  if (ev.retry !== undefined) {
    if (!Number.isSafeInteger(ev.retry) || ev.retry < 0) throw invalid('retry', `is ${ev.retry}; it must be a non-negative integer`);
    out += `retry: ${ev.retry}\n`;
  }
  if (ev.data !== undefined) for (const line of ev.data.split(NEWLINE)) out += `data: ${line}\n`;
  return `${out}\n`;
}

/** The `[DONE]` sentinel OpenAI-style streams end with. */
export const SSE_DONE = 'data: [DONE]\n\n';

function singleLine(field: string, value: string): string {
  if (NEWLINE.test(value)) throw invalid(field, 'contains a line break');
  return value;
}

function invalid(field: string, what: string): DgpError {
  return new DgpError('DGP_ERR_SSE_INVALID_FIELD', `SSE field "${field}" ${what}.`, {
    hint: 'Remove line breaks from event and id values; split multi-line text over data only.',
  });
}
