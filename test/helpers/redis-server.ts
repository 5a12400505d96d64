// Starts a REAL redis-server (the Debian package `redis-server`; `npm test` installs it) on a free loopback port with
// a temporary dir and no persistence, waits until it answers PING, and stops it. stop()/start() keep the port, to test
// an outage and the recovery after it.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { freePort } from './etcd-server.js';

export interface RedisServer {
  /** redis://127.0.0.1:<port> */
  readonly url: string;
  readonly port: number;
  /** Stops the process (SIGKILL when `kill`), then start() brings an empty server back on the same port. */
  stop(kill?: boolean): Promise<void>;
  start(): Promise<void>;
  /** Stops it and removes the temporary dir. */
  close(): Promise<void>;
}

/** True when something on the port answers +PONG to PING. */
function pings(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    const done = (ok: boolean): void => void (s.destroy(), resolve(ok));
    s.setTimeout(500, () => done(false));
    s.once('error', () => done(false));
    s.once('connect', () => s.write('PING\r\n'));
    s.once('data', (d: Buffer) => done(d.toString().startsWith('+PONG')));
  });
}

export async function startRedis(): Promise<RedisServer> {
  const dir = await mkdtemp(join(tmpdir(), 'dgp-redis-'));
  const port = await freePort();
  let proc: ChildProcess | undefined;
  let output = '';

  const start = async (): Promise<void> => {
    output = '';
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--loglevel', 'warning'];
    const p = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    proc = p;
    p.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    p.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    const failed = new Promise<never>((_, reject) => {
      p.once('error', (err) => reject(new Error(`cannot run redis-server (install the Debian package redis-server): ${err.message}`)));
      p.once('exit', (code) => reject(new Error(`redis-server exited with ${code} before it answered PING:\n${output}`)));
    });
    failed.catch(() => undefined);
    // Bounded: 200 × 25 ms = 5 s.
    for (let i = 0; i < 200; i++) {
      if (await Promise.race([pings(port), failed])) return;
      await delay(25);
    }
    throw new Error(`redis-server did not answer PING within 5 s:\n${output}`);
  };

  const stop = async (kill = false): Promise<void> => {
    const p = proc;
    proc = undefined;
    if (p === undefined || p.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => p.once('exit', () => resolve()));
    p.kill(kill ? 'SIGKILL' : 'SIGTERM');
    const timer = setTimeout(() => p.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };

  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop,
    start,
    async close() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
