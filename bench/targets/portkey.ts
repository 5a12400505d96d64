// Portkey's open-source gateway as a peer target (peer-gateways.md §3): installed with npm into a folder under the
// system temp dir (never a project dependency; reused by later runs), with @hono/node-server pinned to 1.13.5
// because later versions break its streaming (Portkey-AI/gateway#1389), and started bound to 127.0.0.1.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnChild, type Child } from '../lib/children.js';
import { freePorts, waitForHttp } from '../lib/net.js';

export const PORTKEY_VERSION = '1.15.2';
const NODE_SERVER_VERSION = '1.13.5';
const LOOPBACK_ONLY = new URL('./loopback-only.mjs', import.meta.url).href;
const INSTALL_TIMEOUT_MS = 300_000;

/** The environment of `npm run bench` without the project's npm variables, so npm works in the temp folder only. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_(package_|lifecycle_|config_(local_)?prefix$)/i.test(k)) env[k] = v;
  return env;
}

function npmCommand(): { cmd: string; pre: string[] } {
  const execPath = process.env.npm_execpath;
  return execPath && /npm-cli\.[cm]?js$/.test(execPath) ? { cmd: process.execPath, pre: [execPath] } : { cmd: 'npm', pre: [] };
}

function run(cmd: string, args: string[], cwd: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { cwd, env: cleanEnv(), stdio: ['ignore', 'ignore', 'pipe'], timeout: timeoutMs, killSignal: 'SIGKILL' });
    let err = '';
    p.stderr.setEncoding('utf8').on('data', (s: string) => (err = (err + s).slice(-2000)));
    p.once('error', reject);
    p.once('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')}: ${signal ? `killed (${signal}, limit ${timeoutMs} ms)` : `exit ${code}`}: ${err.trim()}`))));
  });
}

export interface PortkeyInstall {
  dir: string;
  entry: string;
}

/** Installs Portkey in the temp dir, or reuses an earlier complete install there. */
export async function installPortkey(say: (line: string) => void): Promise<PortkeyInstall> {
  const dir = join(tmpdir(), `dgp-bench-portkey-${PORTKEY_VERSION}-node-server-${NODE_SERVER_VERSION}`);
  const entry = join(dir, 'node_modules/@portkey-ai/gateway/build/start-server.js');
  const marker = join(dir, '.installed');
  if (existsSync(entry) && existsSync(marker)) {
    say(`portkey: reusing the install in ${dir}`);
    return { dir, entry };
  }
  say(`portkey: npm i @portkey-ai/gateway@${PORTKEY_VERSION} @hono/node-server@${NODE_SERVER_VERSION} into ${dir} (at most ${INSTALL_TIMEOUT_MS / 1000} s)`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'dgp-bench-portkey', private: true, version: '0.0.0' }));
  const { cmd, pre } = npmCommand();
  const pkgs = [`@portkey-ai/gateway@${PORTKEY_VERSION}`, `@hono/node-server@${NODE_SERVER_VERSION}`];
  await run(cmd, [...pre, 'install', '--prefix', dir, '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error', ...pkgs], dir, INSTALL_TIMEOUT_MS);
  // A copy nested under the gateway package would win over the pinned one and break streaming again.
  const nested = join(dir, 'node_modules/@portkey-ai/gateway/node_modules/@hono/node-server');
  if (existsSync(nested)) {
    const v = (JSON.parse(await readFile(join(nested, 'package.json'), 'utf8')) as { version: string }).version;
    if (v !== NODE_SERVER_VERSION) await rm(nested, { recursive: true, force: true });
  }
  if (!existsSync(entry)) throw new Error(`npm finished but ${entry} is missing`);
  await writeFile(marker, new Date().toISOString());
  return { dir, entry };
}

export interface StartedPortkey {
  child: Child;
  origin: string;
  headers: Record<string, string>;
}

export async function startPortkey(install: PortkeyInstall, upstreamPort: number): Promise<StartedPortkey> {
  const [port] = (await freePorts(1)) as [number];
  const args = ['--import', LOOPBACK_ONLY, install.entry, `--port=${port}`, '--headless'];
  const child = spawnChild('portkey', process.execPath, args, { cwd: install.dir, env: cleanEnv() });
  const origin = `http://127.0.0.1:${port}`;
  await waitForHttp(origin, 30_000, () => `portkey: ${child.stderrTail()}`);
  return {
    child,
    origin,
    // The custom host must include /v1: Portkey appends /chat/completions to it. Loopback hosts are trusted by default.
    headers: { 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `http://127.0.0.1:${upstreamPort}/v1` },
  };
}
