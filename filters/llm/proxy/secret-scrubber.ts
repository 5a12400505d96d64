// Secret scrubbing on the bytes an upstream sends toward a client: every form of a secret (literal — which covers
// `Bearer <key>` —, URL-encoded, JSON-escaped) becomes "[REDACTED]", in whole buffers and in streams whose chunk
// boundaries may fall inside a secret. The stream side holds bytes back only while a chunk ends with the start of a
// secret, so an ordinary stream (events end in "\n") is never delayed; the common chunk costs one native indexOf per form.

export const REDACTED = '[REDACTED]';
/** Shorter values are not scrubbed: replacing a 3-character "key" everywhere would corrupt ordinary text. */
export const MIN_SECRET_LENGTH = 8;

const REDACTED_BYTES = Buffer.from(REDACTED);
const EMPTY = Buffer.alloc(0);

/** The forms a secret travels in: literal, percent-encoded (upper and lower hex), JSON-escaped (with and without `\/`). */
export function secretForms(secret: string): string[] {
  const url = encodeURIComponent(secret);
  const json = JSON.stringify(secret).slice(1, -1);
  const forms = [secret, url, url.replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase()), json, json.replace(/\//g, '\\/')];
  return [...new Set(forms)];
}

export class SecretMatcher {
  /** Distinct byte patterns, none containing another (the contained one already finds every occurrence). */
  readonly patterns: readonly Buffer[];
  /** The same patterns as text, for header values. */
  readonly #texts: readonly string[];

  private constructor(patterns: Buffer[]) {
    this.patterns = patterns;
    this.#texts = patterns.map((p) => p.toString());
  }

  /** A matcher for these secrets (values under MIN_SECRET_LENGTH ignored), or undefined when none is left. */
  static of(secrets: Iterable<string>): SecretMatcher | undefined {
    const forms = new Set<string>();
    for (const s of secrets) if (s.length >= MIN_SECRET_LENGTH) for (const f of secretForms(s)) forms.add(f);
    const list = [...forms].sort((a, b) => a.length - b.length);
    const kept = list.filter((f, i) => !list.slice(0, i).some((shorter) => f.includes(shorter)));
    return kept.length === 0 ? undefined : new SecretMatcher(kept.map((f) => Buffer.from(f)));
  }

  /** `buf` with every match replaced; `buf` itself when nothing matched. */
  scrub(buf: Buffer): Buffer {
    return replaceMatches(buf, findMatches(buf, this.patterns, 0));
  }

  scrubString(s: string): string {
    for (const p of this.#texts) if (s.includes(p)) return this.scrub(Buffer.from(s)).toString();
    return s;
  }

  /** Response headers with every value scrubbed (the same object when nothing matched). */
  scrubHeaders(headers: Record<string, string | string[]>): Record<string, string | string[]> {
    let out: Record<string, string | string[]> | undefined;
    for (const name in headers) {
      const v = headers[name]!;
      const clean = Array.isArray(v) ? v.map((x) => this.scrubString(x)) : this.scrubString(v);
      if (clean === v || (Array.isArray(v) && (clean as string[]).every((x, i) => x === v[i]))) continue;
      (out ??= { ...headers })[name] = clean;
    }
    return out ?? headers;
  }

  /** A scrubber for one stream. */
  stream(): StreamScrubber {
    return new StreamScrubber(this.patterns);
  }
}

/**
 * One stream's scrubber: push() returns the bytes safe to send now, keeping back a tail that is the start of a
 * secret (at most the longest form minus one byte); end() returns that tail once the stream is over (it is not a
 * secret: the rest never came).
 */
export class StreamScrubber {
  #carry: Buffer = EMPTY;

  constructor(private readonly patterns: readonly Buffer[]) {}

  /** Bytes held back right now. */
  get held(): number {
    return this.#carry.length;
  }

  push(chunk: Buffer): Buffer {
    const data = this.#carry.length === 0 ? chunk : Buffer.concat([this.#carry, chunk]);
    const matches = findMatches(data, this.patterns, 0);
    const from = matches === undefined ? 0 : matches[matches.length - 1]!;
    const hold = heldTail(data, this.patterns, from);
    if (hold === 0) {
      this.#carry = EMPTY;
      return replaceMatches(data, matches);
    }
    // Copied: the caller may reuse the chunk's memory once we return.
    this.#carry = Buffer.from(data.subarray(data.length - hold));
    return replaceMatches(data.subarray(0, data.length - hold), matches);
  }

  end(): Buffer {
    const tail = this.#carry;
    this.#carry = EMPTY;
    return tail;
  }
}

/** Match ranges as a flat [start, end, start, end, …] list, sorted and merged; undefined when there is none. */
function findMatches(data: Buffer, patterns: readonly Buffer[], from: number): number[] | undefined {
  let ranges: Array<[number, number]> | undefined;
  for (const p of patterns) {
    for (let i = data.indexOf(p, from); i !== -1; i = data.indexOf(p, i + p.length)) (ranges ??= []).push([i, i + p.length]);
  }
  if (ranges === undefined) return undefined;
  ranges.sort((a, b) => a[0] - b[0]);
  const flat: number[] = [];
  for (const [s, e] of ranges) {
    const last = flat.length - 1;
    if (last > 0 && s < flat[last]!) flat[last] = Math.max(flat[last]!, e);
    else flat.push(s, e);
  }
  return flat;
}

function replaceMatches(data: Buffer, flat: number[] | undefined): Buffer {
  if (flat === undefined) return data;
  const parts: Buffer[] = [];
  let at = 0;
  for (let k = 0; k < flat.length; k += 2) {
    parts.push(data.subarray(at, flat[k]), REDACTED_BYTES);
    at = flat[k + 1]!;
  }
  parts.push(data.subarray(at));
  return Buffer.concat(parts);
}

/** Length of the longest tail of data[from..] that is a proper prefix of some pattern (0 when none). */
function heldTail(data: Buffer, patterns: readonly Buffer[], from: number): number {
  const len = data.length;
  let hold = 0;
  for (const p of patterns) {
    // The earliest candidate is the longest tail; candidates start with the pattern's first byte (native search).
    const start = Math.max(from, len - p.length + 1);
    for (let i = data.indexOf(p[0]!, start); i !== -1 && len - i > hold; i = data.indexOf(p[0]!, i + 1)) {
      if (data.compare(p, 0, len - i, i, len) === 0) {
        hold = len - i;
        break;
      }
    }
  }
  return hold;
}

/** The matcher of each endpoint key (plus the configured secrets), built once per key and bounded. */
export class ScrubberCache {
  readonly #byKey = new Map<string, SecretMatcher | undefined>();

  constructor(private readonly extra: readonly string[]) {}

  forKey(apiKey: string): SecretMatcher | undefined {
    let m = this.#byKey.get(apiKey);
    if (m !== undefined || this.#byKey.has(apiKey)) return m;
    m = SecretMatcher.of([apiKey, ...this.extra]);
    // Keys come from config and registries; a registry churning keys must not grow this without bound.
    if (this.#byKey.size >= 1024) this.#byKey.clear();
    this.#byKey.set(apiKey, m);
    return m;
  }
}
