// Retry-After (RFC 9110 §10.2.3): delay-seconds or an HTTP-date, as milliseconds from now.

/** Milliseconds to wait, or undefined when the header is absent or malformed. A past date gives 0. */
export function parseRetryAfter(value: string | string[] | number | undefined, now = Date.now()): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined) return undefined;
  const s = String(raw).trim();
  if (/^\d+$/.test(s)) return Number(s) * 1000;
  // Only the IMF-fixdate family parses reliably with Date; anything else is ignored rather than guessed.
  if (!/^[A-Za-z]{3}, /.test(s)) return undefined;
  const at = Date.parse(s);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
