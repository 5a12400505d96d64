// Starts a REAL PostgreSQL 15 (Debian package `postgresql-15`) on a free loopback port with a temporary data dir and
// a unix socket dir inside it, and stops it. PostgreSQL refuses to run as root, so when the tests run as root the
// binaries run as the `postgres` user (setpriv, no PAM session) on a temp dir owned by it.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './etcd-server.js';

export interface PostgresServer {
  readonly port: number;
  /** Connection URL of the `postgres` database as superuser `postgres` (trust auth on 127.0.0.1). */
  readonly url: string;
  /** Directory holding the unix socket `.s.PGSQL.<port>`. */
  readonly socketDir: string;
  /** Creates a fresh database and returns its URL (one per test keeps tests independent). */
  createDatabase(name: string): Promise<string>;
  /** Stops the server (fast shutdown) and removes the data dir. */
  close(): Promise<void>;
}

const run = promisify(execFile);
const BIN_DIRS = ['/usr/lib/postgresql/15/bin', '/usr/local/bin', '/usr/bin'];

function binary(name: string): string {
  for (const dir of BIN_DIRS) if (existsSync(join(dir, name))) return join(dir, name);
  throw new Error(`PostgreSQL 15 binary "${name}" not found in ${BIN_DIRS.join(', ')}: install the Debian package postgresql-15`);
}

/** As root: run as `postgres`; otherwise as ourselves. */
async function runAs(): Promise<{ wrap: (cmd: string, args: string[]) => [string, string[]]; uid?: number; gid?: number }> {
  if (userInfo().uid !== 0) return { wrap: (cmd, args) => [cmd, args] };
  const { stdout: uid } = await run('id', ['-u', 'postgres']).catch(() => {
    throw new Error('tests run as root and PostgreSQL refuses root, but there is no "postgres" user: install the Debian package postgresql-15');
  });
  const { stdout: gid } = await run('id', ['-g', 'postgres']);
  const wrap = (cmd: string, args: string[]): [string, string[]] => [
    'setpriv', ['--reuid=postgres', '--regid=postgres', '--init-groups', '--', cmd, ...args],
  ];
  return { wrap, uid: Number(uid.trim()), gid: Number(gid.trim()) };
}

export async function startPostgres(): Promise<PostgresServer> {
  const initdb = binary('initdb');
  const postgres = binary('postgres');
  const as = await runAs();
  const dir = await mkdtemp(join(tmpdir(), 'dgp-pg-'));
  await chmod(dir, 0o700);
  if (as.uid !== undefined) await chown(dir, as.uid, as.gid!);
  const data = join(dir, 'data');
  const port = await freePort();
  const [icmd, iargs] = as.wrap(initdb, ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync', '--no-instructions']);
  await run(icmd, iargs, { cwd: dir }).catch((err: Error & { stderr?: string }) => {
    throw new Error(`initdb failed: ${err.stderr ?? err.message}`);
  });

  let output = '';
  const [pcmd, pargs] = as.wrap(postgres, [
    '-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1',
    // A throwaway test cluster: no fsync, small shared memory.
    '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'shared_buffers=16MB',
    '-c', 'max_connections=50',
  ]);
  const proc: ChildProcess = spawn(pcmd, pargs, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  proc.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;

  const stop = async (): Promise<void> => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGINT'); // fast shutdown
      const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    await rm(dir, { recursive: true, force: true });
  };

  // Bounded: 200 × 50 ms = 10 s.
  for (let i = 0; ; i++) {
    if (proc.exitCode !== null) {
      await stop();
      throw new Error(`postgres exited with ${proc.exitCode} before accepting connections:\n${output}`);
    }
    const client = new pg.Client({ connectionString: url });
    client.on('error', () => undefined);
    const ok = await client.connect().then(() => true, () => false);
    await client.end().catch(() => undefined);
    if (ok) break;
    if (i >= 200) {
      await stop();
      throw new Error(`postgres did not accept connections within 10 s:\n${output}`);
    }
    await delay(50);
  }

  return {
    port,
    url,
    socketDir: dir,
    async createDatabase(name) {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`database name ${name} must be a plain identifier`);
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    close: stop,
  };
}
