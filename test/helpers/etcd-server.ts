// Starts a REAL etcd (the Debian package `etcd-server`; .ci/run installs it) on free loopback ports with a temporary
// data dir, waits until /health says true, and stops it. Also a tiny client for the tests (put, delete, compact,
// auth) over etcd's JSON gateway, and stop()/start() on the same ports and data to test reconnects.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

export interface EtcdServer {
  /** Client URL, e.g. http://127.0.0.1:40123. */
  readonly url: string;
  readonly port: number;
  /** Puts a key (value: string, or an object written as JSON); returns the new revision. */
  put(key: string, value: string | object): Promise<number>;
  del(key: string): Promise<number>;
  /** The current revision. */
  revision(): Promise<number>;
  /** Compacts the history up to `revision` (physical, so it has happened when this resolves). */
  compact(revision: number): Promise<void>;
  /** Creates `root` with this password, grants it the root role and turns authentication on. */
  enableAuth(password: string): Promise<void>;
  /** Stops the process (the data dir stays), then start() brings it back on the same ports. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops it and removes the data dir. */
  close(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

const b64 = (s: string): string => Buffer.from(s).toString('base64');

export async function startEtcd(): Promise<EtcdServer> {
  const dir = await mkdtemp(join(tmpdir(), 'dgp-etcd-'));
  const [clientPort, peerPort] = [await freePort(), await freePort()];
  const url = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  let proc: ChildProcess | undefined;
  let output = '';
  let token: string | undefined;

  const call = async (path: string, body: object): Promise<Record<string, unknown>> => {
    const res = await fetch(`${url}${path}`, {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json', ...(token ? { authorization: token } : {}) },
    });
    const json = (await res.json()) as Record<string, unknown>;
    if (res.status !== 200) throw new Error(`etcd ${path} answered ${res.status}: ${JSON.stringify(json)}`);
    return json;
  };
  const rev = (json: Record<string, unknown>): number => Number((json.header as { revision: string }).revision);

  const start = async (): Promise<void> => {
    output = '';
    const p = spawn(
      'etcd',
      [
        '--name', 'dgp-test',
        '--data-dir', join(dir, 'data'),
        '--listen-client-urls', url,
        '--advertise-client-urls', url,
        '--listen-peer-urls', peer,
        '--initial-advertise-peer-urls', peer,
        '--initial-cluster', `dgp-test=${peer}`,
        '--logger', 'zap',
        '--log-level', 'error',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    proc = p;
    p.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    p.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    const failed = new Promise<never>((_, reject) => {
      p.once('error', (err) => reject(new Error(`cannot run etcd (install the Debian package etcd-server): ${err.message}`)));
      p.once('exit', (code) => reject(new Error(`etcd exited with ${code} before it was healthy:\n${output}`)));
    });
    failed.catch(() => undefined);
    // Bounded: 200 × 50 ms = 10 s.
    for (let i = 0; i < 200; i++) {
      const healthy = await Promise.race([
        fetch(`${url}/health`).then(async (r) => ((await r.json()) as { health?: string }).health === 'true').catch(() => false),
        failed,
      ]);
      if (healthy) return;
      await delay(50);
    }
    throw new Error(`etcd did not become healthy within 10 s:\n${output}`);
  };

  const stop = async (): Promise<void> => {
    const p = proc;
    proc = undefined;
    if (p === undefined || p.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => p.once('exit', () => resolve()));
    p.kill('SIGTERM');
    const timer = setTimeout(() => p.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };

  await start();
  return {
    url,
    port: clientPort,
    put: async (key, value) => rev(await call('/v3/kv/put', { key: b64(key), value: b64(typeof value === 'string' ? value : JSON.stringify(value)) })),
    del: async (key) => rev(await call('/v3/kv/deleterange', { key: b64(key) })),
    revision: async () => rev(await call('/v3/kv/range', { key: b64('\0'), count_only: true })),
    compact: async (revision) => void (await call('/v3/kv/compaction', { revision: String(revision), physical: true })),
    async enableAuth(password) {
      await call('/v3/auth/user/add', { name: 'root', password });
      await call('/v3/auth/user/grant', { user: 'root', role: 'root' });
      await call('/v3/auth/enable', {});
      token = (await call('/v3/auth/authenticate', { name: 'root', password })).token as string;
    },
    stop,
    start,
    async close() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
