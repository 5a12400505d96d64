// The URL origin of an endpoint and the gateway's User-Agent: the two facts every upstream request starts from.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EndpointView } from '../cluster-api.js';

/**
 * `scheme://authority` for an endpoint. The authority is `domains[0]` when set, else `address:port` (Pixiu
 * GetAddress); a bare IPv6 address gets its brackets here because Pixiu's `%s:%v` would produce `::1:8000`.
 */
export function endpointOrigin(ep: EndpointView, scheme: 'http' | 'https'): string {
  let authority = ep.authority;
  if (ep.domains.length === 0 && ep.address.includes(':') && !ep.address.startsWith('[')) {
    authority = `[${ep.address}]:${ep.port}`;
  }
  return `${scheme}://${authority}`;
}

let cachedVersion: string | undefined;

/** The package version, read once from the nearest package.json named dgp-gateway (works from core/ and dist/). */
export function gatewayVersion(): string {
  if (cachedVersion !== undefined) return cachedVersion;
  cachedVersion = '0.0.0';
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      try {
        const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
        if (pkg.name === 'dgp-gateway' && typeof pkg.version === 'string') {
          cachedVersion = pkg.version;
          break;
        }
      } catch {
        // A malformed package.json on the way up is not ours; keep walking.
      }
    }
    dir = dirname(dir);
  }
  return cachedVersion;
}

/** `dgp-gateway/<version>`, sent upstream as User-Agent. */
export function gatewayUserAgent(): string {
  return `dgp-gateway/${gatewayVersion()}`;
}
