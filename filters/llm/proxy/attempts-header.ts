// The `x-dgp-attempts` response header: every upstream attempt in order as `<endpoint id>=<status or error type>`,
// separated by `;` — e.g. `vllm-a=503;vllm-a=503;vllm-b=connect_error;vllm-c=200`.
import type { UpstreamAttempt } from '../../../core/index.js';

export const ATTEMPTS_HEADER = 'x-dgp-attempts';
/** Attempts listed before the rest is summarised as `+N`; keeps the header well under common 8 KiB limits. */
const MAX_LISTED = 32;

/**
 * Ids are percent-encoded (encodeURIComponent), so `;`, `=`, spaces and non-ASCII never break the format.
 * The value is the HTTP status when a response head arrived and the attempt did not fail after it, else the
 * error type (connect_error, network_error, timeout, empty_stream, aborted).
 */
export function formatAttempts(attempts: readonly UpstreamAttempt[]): string {
  const parts = attempts.slice(0, MAX_LISTED).map((a) => {
    const outcome = a.status > 0 && (a.error_type === '' || a.error_type === 'status_code_error') ? String(a.status) : a.error_type || '0';
    return `${encodeURIComponent(a.endpoint_id)}=${outcome}`;
  });
  if (attempts.length > MAX_LISTED) parts.push(`+${attempts.length - MAX_LISTED}`);
  return parts.join(';');
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
