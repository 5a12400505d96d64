// How `dgp start --workers N` fails: an invalid config is reported once, every problem listed, before any worker is
// forked; a taken admin port fails before forking; a worker that cannot start stops the others; bad --workers values
// are usage errors; --workers 1 is today's single process.
import { spawn, spawnSync } from 'node:child_process';
import http from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { CLI, PID_PLUGIN, ROOT, pidConfig, waitFor } from './helpers.js';

const confDir = (yaml: string): string => {
  const dir = mkdtempSync(join(tmpdir(), 'dgp-multicore-fail-'));
  writeFileSync(join(dir, 'conf.yaml'), yaml);
  return dir;
};

const dgp = (args: string[]) =>
  spawnSync(process.execPath, [CLI, 'start', '--no-watch', '--plugin-dir', PID_PLUGIN, ...args], { cwd: ROOT, encoding: 'utf8', env: { PATH: process.env.PATH }, timeout: 30_000 });

/** A listening socket on 127.0.0.1, closed at teardown: its port is taken for the test. */
const takenPort = (t: Test): Promise<number> =>
  new Promise((resolve) => {
    const s = http.createServer().listen(0, '127.0.0.1', () => resolve((s.address() as { port: number }).port));
    t.teardown(() => void s.close());
  });

t.test('an invalid config: exit 1 with every problem listed, and no worker forked', async (t) => {
  const yaml = pidConfig()
    .replace('multicore.pid', 'multicore.pidd')
    .replace('shutdown_config: {timeout: 10s}', 'shutdown_config: {timeout: soon}');
  const r = dgp(['--config-dir', confDir(yaml), '--workers', '2']);
  t.equal(r.status, 1, 'exit 1');
  t.match(r.stderr, /cannot start: .*invalid config \(no worker was started\)/);
  t.match(r.stderr, /conf\.yaml:\d+:\d+ .*DGP_ERR_PLUGIN_UNKNOWN_KIND.*did you mean "multicore\.pid"/);
  t.match(r.stderr, /conf\.yaml:\d+:\d+ .*DGP_ERR_CONFIG_DURATION/);
  t.notMatch(r.stdout, /worker started/);
});

t.test('--workers values: a whole number >= 1 or auto', async (t) => {
  for (const bad of ['0', 'two', '-1', '1.5']) {
    const r = dgp(['--config-dir', confDir(pidConfig()), `--workers=${bad}`]);
    t.equal(r.status, 2, `--workers ${bad} is a usage error`);
    t.match(r.stderr, /--workers takes a whole number of at least 1, or auto/);
  }
});

t.test('a taken admin port fails the start before any worker is forked', async (t) => {
  const port = await takenPort(t);
  const r = dgp(['--config-dir', confDir(pidConfig().replace('admin: {address: 127.0.0.1, port: 0}', `admin: {address: 127.0.0.1, port: ${port}}`)), '--workers', '2']);
  t.equal(r.status, 1);
  t.match(r.stderr, new RegExp(`DGP_ERR_LISTEN admin listener cannot bind 127\\.0\\.0\\.1:${port}: EADDRINUSE`));
  t.notMatch(r.stdout, /worker started/);
});

t.test('a worker that cannot start fails the start, and the other workers are stopped', async (t) => {
  const port = await takenPort(t);
  const r = dgp(['--config-dir', confDir(pidConfig().replace('port: 0}}', `port: ${port}}}`)), '--workers', '2']);
  t.equal(r.status, 1, 'exit 1');
  t.match(r.stderr, /worker \d cannot start: DGP_ERR_LISTEN .*listener main cannot bind .*EADDRINUSE/);
  t.match(r.stderr, /dgp: cannot start: worker \d \(pid \d+\) exited with code 1 before it was ready/);
});

t.test('--workers 1 is the single-process gateway', async (t) => {
  const child = spawn(process.execPath, [CLI, 'start', '--no-watch', '--plugin-dir', PID_PLUGIN, '--config-dir', confDir(pidConfig()), '--workers', '1'], { cwd: ROOT, env: { PATH: process.env.PATH } });
  t.teardown(() => void child.kill('SIGKILL'));
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  await waitFor(() => /dgp-gateway started/.test(out), 20_000, 'the start line');
  t.notMatch(out, /"role":"primary"|worker started/);
  t.match(out, new RegExp(`"pid":${child.pid},.*"msg":"dgp-gateway started"`), 'the gateway runs in the process started');
  child.kill('SIGTERM');
  t.equal(await exited, 0);
});
