// What the client asks of the cache for one request: RFC 9111 request directives in Cache-Control (no-store: neither
// read nor write; no-cache: refresh, write only; max-age=N: only entries younger than N seconds; only-if-cached: 504
// rather than an upstream call), and the peers' headers mapped onto them (Portkey's x-portkey-cache-force-refresh is
// no-cache, Higress's x-higress-skip-ai-cache is no-store). A directive the operator (or the key) does not allow is
// ignored. The upstream's own Cache-Control is never read: providers send no-cache on everything.
import type { IncomingHttpHeaders } from 'node:http';
import type { Directive } from './schema.js';

export interface Directives {
  noStore: boolean;
  noCache: boolean;
  /** Seconds; undefined when not asked. */
  maxAge: number | undefined;
  onlyIfCached: boolean;
}

const one = (h: string | string[] | undefined): string | undefined => (Array.isArray(h) ? h.join(',') : h);
const truthy = (v: string | undefined): boolean => v !== undefined && /^(1|true|on|yes)$/i.test(v.trim());

export function readDirectives(headers: IncomingHttpHeaders, allowed: ReadonlySet<Directive>): Directives {
  const d: Directives = { noStore: false, noCache: false, maxAge: undefined, onlyIfCached: false };
  const cc = one(headers['cache-control']);
  for (const part of cc === undefined || cc === '' ? [] : cc.split(',')) {
    const [rawName, rawValue] = part.split('=', 2) as [string, string | undefined];
    const name = rawName.trim().toLowerCase();
    if (name === 'no-store') d.noStore = true;
    else if (name === 'no-cache') d.noCache = true;
    else if (name === 'only-if-cached') d.onlyIfCached = true;
    else if (name === 'max-age' && rawValue !== undefined) {
      const n = Number(rawValue.trim().replace(/^"|"$/g, ''));
      if (Number.isFinite(n) && n >= 0) d.maxAge = Math.floor(n);
    }
  }
  if (truthy(one(headers['x-portkey-cache-force-refresh']))) d.noCache = true;
  if (truthy(one(headers['x-higress-skip-ai-cache']))) d.noStore = true;
  if (!allowed.has('no-store')) d.noStore = false;
  if (!allowed.has('no-cache')) d.noCache = false;
  if (!allowed.has('max-age')) d.maxAge = undefined;
  if (!allowed.has('only-if-cached')) d.onlyIfCached = false;
  return d;
}

/** The directives a key may use: the filter's list, narrowed by the key's `cache_controls` metadata when it has one. */
export function allowedFor(base: readonly Directive[], metadata: Readonly<Record<string, unknown>> | undefined): ReadonlySet<Directive> {
  const own = metadata?.cache_controls;
  if (!Array.isArray(own)) {
    // The filter's own list is the same array for the generation: one set for every request without key metadata.
    let set = baseSets.get(base);
    if (set === undefined) baseSets.set(base, (set = new Set(base)));
    return set;
  }
  return new Set(base.filter((d) => own.includes(d)));
}

const baseSets = new WeakMap<readonly Directive[], ReadonlySet<Directive>>();
