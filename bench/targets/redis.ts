// A throwaway redis-server for the dgp-keys-redis target (Debian package redis-server): a free loopback port, no
// persistence, stopped with the run.
import { spawnSync } from 'node:child_process';
import { connect } from 'node:net';
import { spawnChild, type Child } from '../lib/children.js';
import { freePorts } from '../lib/net.js';

/** redis-server's version, or undefined when it is not installed. */
export function redisVersion(): string | undefined {
  const r = spawnSync('redis-server', ['--version'], { encoding: 'utf8', timeout: 10_000 });
  if (r.error) return undefined;
  return /v=([\d.]+)/.exec(r.stdout)?.[1] ?? 'unknown';
}

/** True when a Redis on `port` answers PING within a second. */
function pong(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    const done = (ok: boolean) => (s.destroy(), resolve(ok));
    s.setTimeout(1000, () => done(false));
    s.once('error', () => done(false));
    s.once('connect', () => s.write('PING\r\n'));
    s.once('data', (d: Buffer) => done(d.toString().startsWith('+PONG')));
  });
}

export async function startRedis(): Promise<{ child: Child; port: number }> {
  const [port] = (await freePorts(1)) as [number];
  const child = spawnChild('redis', 'redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']);
  // Bounded: 100 × 50 ms.
  for (let i = 0; i < 100; i++) {
    if (await pong(port)) return { child, port };
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`redis-server did not answer PING on port ${port} within 5 s. ${child.stderrTail()}`);
}
