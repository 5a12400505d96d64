// Shared by the multi-core tests: a config around the multicore.pid fixture plugin, `dgp start --workers N` as a child
// process (compiled dist/: run `npx tsc -p tsconfig.json` first) with its primary start line parsed, requests on fresh
// connections (so the cluster's round-robin can hand each one to another worker), and bounded polling.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Test } from 'tap';

export const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
export const CLI = join(ROOT, 'dist/core/cli.js');
export const PID_PLUGIN = fileURLToPath(new URL('./fixtures/pid-plugin', import.meta.url));

/** One listener on port 0 with one route per prefix, answered by multicore.pid with `tag`; admin on port 0. */
/** A fresh config directory holding `yaml` as conf.yaml. */
export function confDir(yaml: string, prefix = 'dgp-multicore-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  writeFileSync(join(dir, 'conf.yaml'), yaml);
  return dir;
}

export function pidConfig(opts: {
  prefixes?: string[];
  tag?: string;
  stream?: { chunks: number; interval_ms: number };
  shutdownTimeout?: string;
  hangOnClose?: boolean;
  tail?: string;
} = {}): string {
  const prefixes = opts.prefixes ?? ['/'];
  const extra = `${opts.stream ? `, mode: stream, chunks: ${opts.stream.chunks}, interval_ms: ${opts.stream.interval_ms}` : ''}${opts.hangOnClose ? ', hang_on_close: true' : ''}`;
  return `static_resources:
  listeners:
    - name: main
      address: {socket_address: {address: 127.0.0.1, port: 0}}
      filter_chains:
        filters:
          - name: dgp.filter.httpconnectionmanager
            config:
              route_config:
                routes:
${prefixes.map((p, i) => `                  - {id: r${i}, match: {prefix: "${p}"}, route: {cluster: c}}`).join('\n')}
              http_filters:
                - name: multicore.pid
                  config: {tag: "${opts.tag ?? 'v1'}"${extra}}
  clusters:
    - name: c
      endpoints: [{id: e1, socket_address: {address: 127.0.0.1, port: 9}}]
  shutdown_config: {timeout: ${opts.shutdownTimeout ?? '10s'}}
admin: {address: 127.0.0.1, port: 0}
workers: {threads: 1}
${opts.tail ?? ''}`;
}

export interface RunningCluster {
  child: ChildProcess;
  /** The traffic listener's port (shared by every worker). */
  port: number;
  admin: number;
  pids: number[];
  out(): string;
  /** Every JSON log line so far (pino writes asynchronously: wait for a line rather than expect it at once). */
  lines(): Array<Record<string, unknown>>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export async function startCluster(t: Test, dir: string, extra: string[] = [], workers = '2'): Promise<RunningCluster> {
  const child = spawn(process.execPath, [CLI, 'start', '--config-dir', dir, '--plugin-dir', PID_PLUGIN, '--workers', workers, ...extra], {
    cwd: ROOT,
    env: { PATH: process.env.PATH },
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  // 'close', not 'exit': it comes after the last output of the primary and of every worker has been read.
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.on('close', (code, signal) => r({ code, signal })));
  const lines = (): Array<Record<string, unknown>> =>
    out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  t.teardown(() => {
    // Workers drain and leave on their own once the primary's channel closes; kill them too, in case a test failed.
    child.kill('SIGKILL');
    for (const pid of lines().map((l) => l.pid as number)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
  await waitFor(() => started(lines()) !== undefined || child.exitCode !== null, 20_000, `the primary's start line (output so far: ${out})`);
  const line = started(lines());
  if (!line) throw new Error(`dgp exited before starting: ${out}`);
  return { child, port: (line.listeners as Record<string, number>).main!, admin: line.admin as number, pids: line.pids as number[], out: () => out, lines, exited };
}

const started = (lines: Array<Record<string, unknown>>) => lines.find((l) => l.role === 'primary' && l.msg === 'dgp-gateway started');

/** GET on a new connection (Connection: close), given up after 3 s; resolves with the status and the parsed JSON body (or the text). */
export function get(port: number, path: string): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent: false, headers: { connection: 'close' } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => {
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // not JSON
        }
        resolve({ status: res.statusCode ?? 0, body });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    // A connection the primary hands to a worker at the instant it dies is never answered (node:cluster): give up.
    req.setTimeout(3000, () => req.destroy(new Error('no answer within 3 s')));
  });
}

/** An admin request; a POST is sent as JSON (the admin guard refuses a state change with any other content type). */
export async function adminCall(port: number, path: string, method = 'GET', headers: Record<string, string> = {}, body = ''): Promise<{ status: number; body: any; text: string }> {
  const sent = { ...(method === 'POST' ? { 'content-type': 'application/json' } : {}), ...headers };
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method, agent: false, headers: sent }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => {
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          body = undefined;
        }
        resolve({ status: res.statusCode ?? 0, body, text });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The sum of every series of a counter in Prometheus text. */
export function sumOf(text: string, name: string): number {
  let sum = 0;
  for (const m of text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))) sum += Number(m[1]);
  return sum;
}

/** Polls `cond` every 20 ms; rejects after `timeoutMs` (every wait in these tests is bounded). */
export async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() <= until) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
}

/** Sends up to `max` requests, each on a new connection, until `want` distinct worker pids answered with `tag`. */
export async function servingPids(port: number, path: string, opts: { want: number; max: number; tag?: string }): Promise<Set<number>> {
  const pids = new Set<number>();
  for (let i = 0; i < opts.max && pids.size < opts.want; i++) {
    const r = await get(port, path).catch(() => undefined); // a connection handed to a dying worker may fail
    if (r?.status === 200 && (opts.tag === undefined || r.body.tag === opts.tag)) pids.add(r.body.pid as number);
  }
  return pids;
}
