// How long an entry lives: the filter's ttl (per route through the route's filter overrides), else the key's own
// `cache_ttl` (principal metadata, seconds or a Go duration), else the client's x-dgp-cache-ttl (seconds); the last
// two are capped by max_ttl so neither a key nor a client can pin entries forever.
import type { IncomingHttpHeaders } from 'node:http';
import { parseDuration } from '../../../core/index.js';

export interface Durations {
  ttlMs: number;
  maxTtlMs: number;
  coalesceWaitMs: number;
}

function asMs(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v) && v > 0) return v * 1000;
  if (typeof v !== 'string' || v === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v) * 1000;
  try {
    const ms = parseDuration(v);
    return ms > 0 ? ms : undefined;
  } catch {
    return undefined;
  }
}

export function ttlFor(d: Durations, metadata: Readonly<Record<string, unknown>> | undefined, headers: IncomingHttpHeaders): number {
  const raw = headers['x-dgp-cache-ttl'];
  const asked = asMs(Array.isArray(raw) ? raw[0] : raw) ?? asMs(metadata?.cache_ttl);
  return asked === undefined ? d.ttlMs : Math.min(asked, d.maxTtlMs);
}
