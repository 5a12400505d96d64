// The `x-dgp-attempts` response header: every upstream attempt in order as `<endpoint id>=<status or error type>`,
// separated by `;` — e.g. `vllm-a=503;vllm-a=503;vllm-b=connect_error;vllm-c=200`.
import type { UpstreamAttempt } from '../../../core/index.js';

export const ATTEMPTS_HEADER = 'x-dgp-attempts';
/** Attempts listed before the rest is summarised as `+N`; keeps the header well under common 8 KiB limits. */
const MAX_LISTED = 32;

/**
 * Ids are percent-encoded (encodeURIComponent), so `;`, `=`, spaces and non-ASCII never break the format.
 * The value is the HTTP status when a response head arrived and the attempt did not fail after it, else the
 * error type (connect_error, network_error, timeout, empty_stream, stream_error, aborted).
 */
export function formatAttempts(attempts: readonly UpstreamAttempt[]): string {
  const listed = Math.min(attempts.length, MAX_LISTED);
  let out = '';
  for (let i = 0; i < listed; i++) out += (i === 0 ? '' : ';') + part(attempts[i]!);
  if (attempts.length > MAX_LISTED) out += `;+${attempts.length - MAX_LISTED}`;
  return out;
}

function part(a: UpstreamAttempt): string {
  const outcome = a.status > 0 && (a.error_type === '' || a.error_type === 'status_code_error') ? String(a.status) : a.error_type || '0';
  return `${encodedId(a.endpoint_id)}=${outcome}`;
}

/** encodeURIComponent per endpoint id, remembered: the same few ids are formatted on every request (bounded). */
const encodedIds = new Map<string, string>();

function encodedId(id: string): string {
  let encoded = encodedIds.get(id);
  if (encoded === undefined) {
    encoded = encodeURIComponent(id);
    if (encodedIds.size >= 1024) encodedIds.clear();
    encodedIds.set(id, encoded);
  }
  return encoded;
}

/** Inverse of formatAttempts, for tests and tooling: `[{ id, outcome }]`. */
export function parseAttempts(value: string): Array<{ id: string; outcome: string }> {
  if (value === '') return [];
  return value
    .split(';')
    .filter((p) => !p.startsWith('+'))
    .map((p) => {
      const eq = p.lastIndexOf('=');
      return { id: decodeURIComponent(p.slice(0, eq)), outcome: p.slice(eq + 1) };
    });
}
