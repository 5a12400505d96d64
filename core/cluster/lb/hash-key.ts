// What consistent hashing hashes: the request key (per consistent.hash_on), the node identity of each endpoint, and the
// stable 32-bit hash both use (gost's: the low 32 bits of blake2b-512, little-endian), identical in every process.
import { hash } from 'node:crypto';
import type { EndpointView, HashSource } from '../../cluster-api.js';
import type { ConsistentSpec } from '../types.js';

/** gost `hash()`: uint32(LittleEndian.Uint64(blake2b.Sum512(key))) — the low 32 bits of the first 8 bytes. */
export function stableHash32(key: string): number {
  return (hash('blake2b512', key, 'buffer') as Buffer).readUInt32LE(0);
}

/** Pixiu GenerateHash for HTTP: `Method + "." + RequestURI` (path and query). */
function methodUri(src: HashSource): string {
  return `${src.method}.${src.url}`;
}

function bodyField(json: unknown, field: string): string | undefined {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return undefined;
  const v = (json as Record<string, unknown>)[field];
  if (v === undefined || v === null || v === '') return undefined;
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/**
 * The key a request hashes on. `method_uri` is Pixiu's (so every POST to one path lands on one endpoint); `path`,
 * `header` and `body` give per-user or per-conversation stickiness. A missing header or field falls back to method_uri.
 */
export function requestHashKey(consistent: ConsistentSpec, src: HashSource): string {
  switch (consistent.hash_on) {
    case 'path': {
      const q = src.url.indexOf('?');
      return q === -1 ? src.url : src.url.slice(0, q);
    }
    case 'header': {
      const v = src.headers[consistent.hash_key.toLowerCase()];
      const s = Array.isArray(v) ? v.join(',') : v;
      return s ? s : methodUri(src);
    }
    case 'body':
      return bodyField(src.json, consistent.hash_key) ?? methodUri(src);
    default:
      return methodUri(src);
  }
}

/**
 * Node identity per endpoint: its host (`address:port`, Pixiu GetHost). Endpoints that share a host within the
 * cluster (domain-only endpoints all default to 0.0.0.0:8881) become `host#id` so each stays a distinct node.
 */
export function nodeKeys(candidates: readonly EndpointView[], all: readonly EndpointView[]): string[] {
  const count = new Map<string, number>();
  for (const ep of all) count.set(ep.host, (count.get(ep.host) ?? 0) + 1);
  return candidates.map((ep) => ((count.get(ep.host) ?? 0) > 1 ? `${ep.host}#${ep.id}` : ep.host));
}
