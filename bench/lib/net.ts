// Loopback helpers: a free port for programs that must be told one, and a bounded wait for a server to answer.
import net from 'node:net';
import { request } from 'undici';

/** `n` distinct ports that were free a moment ago on 127.0.0.1: all held open together, then released (the race
 * with other programs that bind in between is tiny). */
export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: n }, () => new Promise<net.Server>((resolve, reject) => {
      const srv = net.createServer();
      srv.once('error', reject);
      srv.listen(0, '127.0.0.1', () => resolve(srv));
    })),
  );
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

/**
 * Polls until `origin` (a bare origin means its `/`) answers any HTTP response (or, with `accept`, one whose status it accepts), or throws after
 * `ms` (with what `why()` says about the process).
 */
export async function waitForHttp(origin: string, ms: number, why: () => string, accept: (status: number) => boolean = () => true): Promise<void> {
  const deadline = Date.now() + ms;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const res = await request(/^https?:\/\/[^/]+$/.test(origin) ? `${origin}/` : origin, { method: 'GET', headersTimeout: 1000, bodyTimeout: 1000 });
      await res.body.dump();
      if (accept(res.statusCode)) return;
      last = `status ${res.statusCode}`;
    } catch (err) {
      last = (err as { code?: string }).code ?? (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no answer from ${origin} after ${ms} ms (${last}). ${why()}`.trim());
}
