// Shared by the reload tests: a config builder around the reload.tag / test.responder fixture plugins, bounded
// polling, the reload counters from /metrics, and counts of open file descriptors and libuv handles.
import { readdirSync, readlinkSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';

export const TAG_PLUGIN = fileURLToPath(new URL('./fixtures/tag-plugin', import.meta.url));
export const HOST_PLUGINS = fileURLToPath(new URL('../../fixtures/host-plugins', import.meta.url));
export const TLS_A = fileURLToPath(new URL('../../fixtures/tls', import.meta.url));
export const TLS_B = fileURLToPath(new URL('./fixtures/tls-b', import.meta.url));

export interface RouteSpec {
  prefix: string;
  tag: string;
  mode?: 'unary' | 'stream';
  chunks?: number;
  interval_ms?: number;
}

/** One listener per entry; each route gets its own cluster-less chain through a `reload.tag` filter. */
export function tagConfig(opts: {
  listeners?: Array<{ name: string; port: number; tag: string; extra?: string }>;
  tag?: string;
  stream?: { chunks: number; interval_ms: number };
  shutdownTimeout?: string;
  tail?: string;
}): string {
  const listeners = opts.listeners ?? [{ name: 'main', port: 0, tag: opts.tag ?? 'v1' }];
  const stream = opts.stream ? `, mode: stream, chunks: ${opts.stream.chunks}, interval_ms: ${opts.stream.interval_ms}` : '';
  return `static_resources:
  listeners:
${listeners
  .map(
    (l) => `    - name: ${l.name}
      address: {socket_address: {address: 127.0.0.1, port: ${l.port}}}
      filter_chains:
        filters:
          - name: dgp.filter.httpconnectionmanager
            config:
              route_config:
                routes:
                  - id: r-${l.tag}
                    match: {prefix: /}
                    route: {cluster: c}
              http_filters:
                - name: reload.tag
                  config: {tag: "${l.tag}"${stream}}
${l.extra ?? ''}`,
  )
  .join('\n')}
  clusters:
    - name: c
      endpoints: [{id: e1, socket_address: {address: 127.0.0.1, port: 9}}]
  shutdown_config: {timeout: ${opts.shutdownTimeout ?? '10s'}}
${opts.tail ?? ''}`;
}

/** Polls `cond` every 10 ms; rejects after `timeoutMs` (every wait in these tests is bounded). */
export async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<number> {
  const start = Date.now();
  for (let i = 0; Date.now() - start <= timeoutMs; i++) {
    if (await cond()) return Date.now() - start;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
}

export async function getTag(base: string, path = '/unary'): Promise<string | undefined> {
  const res = await request(`${base}${path}`);
  const body = (await res.body.json()) as { tag?: string };
  return body.tag;
}

export async function reloadCounts(adminUrl: string): Promise<{ success: number; failure: number }> {
  const text = await (await request(`${adminUrl}/metrics`)).body.text();
  const read = (r: string): number => Number(new RegExp(`dgp_config_reloads_total\\{result="${r}"\\} (\\d+)`).exec(text)?.[1] ?? 0);
  return { success: read('success'), failure: read('failure') };
}

export async function lastReload(adminUrl: string): Promise<Record<string, unknown> | null> {
  const body = (await (await request(`${adminUrl}/config`)).body.json()) as { last_reload: Record<string, unknown> | null };
  return body.last_reload;
}

/**
 * Open file descriptors by kind: sockets, inotify instances and regular files. Pipes, eventfds and epoll fds are left
 * out: worker threads (the process-wide pool) create and drop those on their own schedule.
 */
export function openFds(): { sockets: number; inotify: number; files: number } {
  const out = { sockets: 0, inotify: 0, files: 0 };
  for (const fd of readdirSync('/proc/self/fd')) {
    let target: string;
    try {
      target = readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      continue; // the fd readdir itself used, already closed
    }
    if (target.startsWith('socket:')) out.sockets++;
    else if (target === 'anon_inode:inotify') out.inotify++;
    else if (target.startsWith('/') && !target.startsWith('/dev/')) out.files++;
  }
  return out;
}

/** libuv handles and timers by type, e.g. { TCPServerWrap: 3, Timeout: 2, FSEventWrap: 1 }. */
export function activeResources(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of process.getActiveResourcesInfo()) out[r] = (out[r] ?? 0) + 1;
  return out;
}

export const events = (): Array<{ event: string; tag: string }> =>
  ((globalThis as { __dgpReloadEvents?: Array<{ event: string; tag: string }> }).__dgpReloadEvents ??= []);

/**
 * Waits (at most `timeoutMs`) until `read()` gives the same value three times in a row 100 ms apart, and returns it:
 * a baseline taken while the worker pool is still starting its threads would count their fds as leaks.
 */
export async function steady<T>(read: () => T, timeoutMs = 5000): Promise<T> {
  let last = JSON.stringify(read());
  let same = 0;
  const until = Date.now() + timeoutMs;
  while (same < 2 && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 100));
    const now = JSON.stringify(read());
    same = now === last ? same + 1 : 0;
    last = now;
  }
  return JSON.parse(last) as T;
}
