// The registry's server list (Pixiu: a comma-separated `address`) as origins, and the failover order across them:
// a call goes to the server that last answered and moves on to the next one only when that one is unreachable.
import { DgpError } from '../../../core/index.js';

/** Parses `host:port, http://host:port, https://host` into origins, adding the protocol's default port. */
export function parseServers(address: string, defaultPort: number, field: string): string[] {
  const out: string[] = [];
  for (const raw of address.split(',')) {
    const item = raw.trim();
    if (item === '') continue;
    const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(item) ? item : `http://${item}`;
    let url: URL;
    try {
      url = new URL(withScheme);
    } catch (cause) {
      throw badAddress(field, item, cause);
    }
    if ((url.protocol !== 'http:' && url.protocol !== 'https:') || (url.pathname !== '/' && url.pathname !== '')) {
      throw badAddress(field, item);
    }
    out.push(`${url.protocol}//${url.hostname}:${url.port || defaultPort}`);
  }
  if (out.length === 0) throw badAddress(field, address);
  return out;
}

function badAddress(field: string, item: string, cause?: unknown): DgpError {
  return new DgpError('DGP_ERR_PLUGIN_CONFIG', `${field}: "${item}" is not a server address`, {
    hint: 'write host:port or http(s)://host:port, several separated by commas (e.g. 10.0.0.1:8848,10.0.0.2:8848)',
    cause,
  });
}

/** Round-robin failover over a fixed server list; `current` sticks until a call marks it failed. */
export class ServerList {
  #index = 0;

  constructor(readonly servers: readonly string[]) {}

  get current(): string {
    return this.servers[this.#index % this.servers.length]!;
  }

  /** Moves to the next server after `failed`, unless another call already moved on. */
  markFailed(failed: string): void {
    if (this.current === failed) this.#index = (this.#index + 1) % this.servers.length;
  }

  /** Runs `call` against each server at most once, starting with the current one; rethrows the last failure. */
  async tryEach<T>(call: (origin: string) => Promise<T>, isUnreachable: (err: unknown) => boolean): Promise<T> {
    let last: unknown;
    for (let i = 0; i < this.servers.length; i++) {
      const origin = this.current;
      try {
        return await call(origin);
      } catch (err) {
        last = err;
        if (!isUnreachable(err)) throw err;
        this.markFailed(origin);
      }
    }
    throw last;
  }
}
