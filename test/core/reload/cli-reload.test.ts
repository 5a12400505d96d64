// The three reload triggers of the real binary (compiled dist/, child processes; run `npx tsc -p tsconfig.json`
// first): SIGHUP and POST /reload with --no-watch, and file watching, which `dgp start` does by default.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t, { type Test } from 'tap';
import { request } from 'undici';
import { TAG_PLUGIN, getTag, tagConfig, waitFor } from './helpers.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const CLI = join(ROOT, 'dist/core/cli.js');
const conf = (tag: string) => `${tagConfig({ tag })}\nadmin: {address: 127.0.0.1, port: 0}\n`;

async function startCli(t: Test, dir: string, extra: string[]): Promise<{ child: ChildProcess; port: number; admin: number; out: () => string }> {
  const child = spawn(process.execPath, [CLI, 'start', '--config-dir', dir, '--plugin-dir', TAG_PLUGIN, ...extra], { cwd: ROOT, env: { PATH: process.env.PATH } });
  t.teardown(() => void child.kill('SIGKILL'));
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  await waitFor(() => /dgp-gateway started/.test(out), 15_000, `start line (output so far: ${out})`);
  const port = Number(/"listeners":\{"main":(\d+)\}/.exec(out)?.[1]);
  const admin = Number(/"admin":(\d+)/.exec(out)?.[1]);
  return { child, port, admin, out: () => out };
}

const stop = async (child: ChildProcess): Promise<number | null> => {
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  child.kill('SIGTERM');
  return exited;
};

t.test('--no-watch: SIGHUP and POST /reload reload; a file edit alone does not', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'dgp-cli-reload-'));
  writeFileSync(join(dir, 'conf.yaml'), conf('one'));
  const { child, port, admin, out } = await startCli(t, dir, ['--no-watch']);
  const base = `http://127.0.0.1:${port}`;
  t.equal(await getTag(base), 'one');
  t.match(out(), /"watch":false/);

  writeFileSync(join(dir, 'conf.yaml'), conf('two'));
  await new Promise((r) => setTimeout(r, 500));
  t.equal(await getTag(base), 'one', 'not watching: the edit waits for a trigger');
  child.kill('SIGHUP');
  await waitFor(async () => (await getTag(base)) === 'two', 3000, 'SIGHUP applied the edit');
  // pino writes asynchronously: the log line may trail the swap a little.
  await waitFor(() => /"trigger":"signal"/.test(out()), 3000, 'the reload log line names SIGHUP as the trigger');

  writeFileSync(join(dir, 'conf.yaml'), conf('three'));
  const res = await request(`http://127.0.0.1:${admin}/reload`, { method: 'POST', headers: { 'content-type': 'application/json' } });
  t.equal(res.statusCode, 200);
  t.match(await res.body.json(), { ok: true, trigger: 'admin', diff: /routes \+main\/r-three -main\/r-two/ });
  t.equal(await getTag(base), 'three');
  t.equal(await stop(child), 0);
});

t.test('dgp start watches by default', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'dgp-cli-reload-'));
  writeFileSync(join(dir, 'conf.yaml'), conf('one'));
  const { child, port, out } = await startCli(t, dir, []);
  const base = `http://127.0.0.1:${port}`;
  t.match(out(), /"watch":true/);
  writeFileSync(join(dir, 'conf.yaml'), conf('two'));
  await waitFor(async () => (await getTag(base)) === 'two', 3000, 'the edit is applied by the watcher');
  await waitFor(() => /"trigger":"watch"/.test(out()), 3000, 'the reload log line names the watcher as the trigger');
  t.equal(await stop(child), 0, 'the watcher does not keep the process alive after SIGTERM');
});
