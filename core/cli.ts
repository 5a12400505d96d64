#!/usr/bin/env node
// `dgp start | validate | plugins`: the one binary. validate exits 0 (valid), 1 (invalid, every problem listed) or
// 2 (usage error) and opens no sockets; start runs until SIGTERM/SIGINT (graceful drain), reloads on SIGHUP and, unless
// --no-watch, whenever conf.yaml, a file it references or a plugin folder changes. `start --workers N` runs N such
// gateways behind one primary process (core/multicore); this file is also each worker's entry point.
import './runtime-flags.js';
import cluster from 'node:cluster';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig, formatProblem } from './config/load.js';
import { loadPlugins } from './registry/index.js';
import { Gateway } from './gateway.js';
import { isDgpError } from './errors.js';
import { preflight } from './multicore/preflight.js';
import { runPrimary } from './multicore/primary.js';
import { runWorker } from './multicore/worker-bridge.js';
import { WORKER_COUNT_ENV, WORKER_SLOT_ENV } from './multicore/protocol.js';
import { COMMAND_HELP, USAGE } from './cli-help.js';
import { initConfig, PRESETS } from './cli-init.js';
import { defaultBody, resolveFile, runRequest } from './cli-request.js';
import { didYouMean } from './config/did-you-mean.js';
import { formatRoutesView, routesView } from './config/routes-view.js';


function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        'config-dir': { type: 'string', short: 'd' },
        config: { type: 'string', short: 'c' },
        'plugin-dir': { type: 'string', short: 'p', multiple: true },
        strict: { type: 'boolean' },
        watch: { type: 'boolean', default: true },
        'no-watch': { type: 'boolean' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
        workers: { type: 'string' },
        pretty: { type: 'boolean' },
        providers: { type: 'string' },
        force: { type: 'boolean' },
        listener: { type: 'string' },
        path: { type: 'string' },
        method: { type: 'string', short: 'X' },
        data: { type: 'string' },
        message: { type: 'string', short: 'm' },
        model: { type: 'string' },
        stream: { type: 'boolean' },
        header: { type: 'string', short: 'H', multiple: true },
        upstream: { type: 'string' },
        'no-env': { type: 'boolean' },
      },
    });
  } catch (err) {
    process.stderr.write(`dgp: ${(err as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.version) return void process.stdout.write(`${version()}\n`), 0;
  const command = positionals[0];
  if (values.help && command && COMMAND_HELP[command]) return void process.stdout.write(`${COMMAND_HELP[command]}\n`), 0;
  if (command === 'help' && positionals[1] && COMMAND_HELP[positionals[1]]) return void process.stdout.write(`${COMMAND_HELP[positionals[1]]}\n`), 0;
  if (values.help || !command) {
    (command || values.help ? process.stdout : process.stderr).write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  if (positionals.length > 1) return usage(`unexpected argument ${positionals[1]}`);
  if (values['config-dir'] && values.config) return usage('give either --config-dir or --config, not both');
  const source = values.config ? { file: values.config } : { configDir: values['config-dir'] ?? 'configs' };
  // Relative --plugin-dir folders are taken from the working directory, like --config-dir.
  const pluginDirs = (values['plugin-dir'] ?? []).map((d) => resolve(d));
  switch (command) {
    case 'validate':
      return validate(source, pluginDirs, values.strict ?? false, values.json ?? false, values['no-env'] ?? false);
    case 'plugins':
      return plugins(source, pluginDirs, values.json ?? false);
    case 'routes':
      return routes(source, pluginDirs, values.json ?? false);
    case 'request':
      return request(source, pluginDirs, values);
    case 'init':
      if (values.config) return usage('init writes <dir>/conf.yaml: give --config-dir, not --config');
      return init(values['config-dir'] ?? 'configs', values.providers ?? 'openai', values.force ?? false);
    case 'start': {
      const workers = parseWorkers(values.workers);
      if (workers === undefined) return usage(`--workers takes a whole number of at least 1, or auto (got ${values.workers})`);
      const logFormat = values.pretty ? ('pretty' as const) : undefined;
      const opts = { source, pluginDirs, strict: values.strict ?? false, watch: values.watch !== false && values['no-watch'] !== true, logFormat };
      const slot = Number(process.env[WORKER_SLOT_ENV]);
      if (cluster.isWorker && slot > 0) {
        const worker = { slot, count: Number(process.env[WORKER_COUNT_ENV]) || workers };
        return runWorker({ ...opts.source, pluginDirs, strict: opts.strict, env: process.env, watch: opts.watch, worker, logFormat });
      }
      if (workers >= 2) return runPrimary({ ...opts, workers, env: process.env });
      return start(source, pluginDirs, opts.strict, opts.watch, logFormat);
    }
    default:
      return usage(`unknown command ${command}`);
  }
}

/** `--workers`: absent = 1; `auto` = the CPU cores Node may use; otherwise an integer >= 1 (undefined when invalid). */
function parseWorkers(value: string | undefined): number | undefined {
  if (value === undefined) return 1;
  if (value === 'auto') return availableParallelism();
  return /^[1-9][0-9]*$/.test(value) ? Number(value) : undefined;
}

function usage(message: string): number {
  process.stderr.write(`dgp: ${message}\n\n${USAGE}\n`);
  return 2;
}

async function validate(source: { file?: string; configDir?: string }, pluginDirs: string[], strict: boolean, json: boolean, noEnv: boolean): Promise<number> {
  const { loaded, problems, errors, warnings } = await preflight(source, pluginDirs, strict, process.env, noEnv);
  const infos = problems.filter((p) => p.severity === 'info');
  if (json) process.stdout.write(`${JSON.stringify({ valid: errors.length === 0, file: loaded.file, errors, warnings, infos }, null, 2)}\n`);
  else {
    for (const p of problems) process.stdout.write(`${formatProblem(p)}\n`);
    process.stdout.write(
      errors.length
        ? `${loaded.file}: invalid: ${errors.length} error(s), ${warnings.length} warning(s)\n`
        : `${loaded.file}: valid${warnings.length ? ` (${warnings.length} warning(s))` : ''}${infos.length ? `; structure only: ${infos.length} unset variable(s) not checked` : ''}\n`,
    );
  }
  return errors.length ? 1 : 0;
}

async function request(source: { file?: string; configDir?: string }, pluginDirs: string[], v: Record<string, unknown>): Promise<number> {
  let upstream: URL | undefined;
  if (typeof v.upstream === 'string') {
    try {
      upstream = new URL(v.upstream);
      if (upstream.protocol !== 'http:' && upstream.protocol !== 'https:') throw new Error('scheme');
    } catch {
      return usage(`--upstream takes an http:// or https:// URL, e.g. http://127.0.0.1:9000 (got ${v.upstream})`);
    }
  }
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  for (const h of (v.header as string[] | undefined) ?? []) {
    const colon = h.indexOf(':');
    if (colon < 1) return usage(`-H takes "name: value" (got ${h})`);
    headers[h.slice(0, colon).trim().toLowerCase()] = h.slice(colon + 1).trim();
  }
  let body: string | undefined;
  if (typeof v.data === 'string') body = v.data.startsWith('@') ? readFileSync(resolve(v.data.slice(1)), 'utf8') : v.data;
  const method = typeof v.method === 'string' ? v.method.toUpperCase() : body === undefined && typeof v.path === 'string' ? 'GET' : 'POST';
  if (body === undefined && method === 'POST') body = defaultBody(typeof v.model === 'string' ? v.model : 'gpt-4o-mini', typeof v.message === 'string' ? v.message : 'Say hello.', v.stream === true);
  const file = resolveFile(source);
  if (!existsSync(file)) return usage(`no config at ${file}: give --config-dir or -c`);
  const checked = await preflight(source, pluginDirs, false);
  if (checked.errors.length) {
    for (const p of checked.errors) process.stderr.write(`${formatProblem(p)}\n`);
    return 1;
  }
  return runRequest({
    file,
    pluginDirs,
    ...(typeof v.listener === 'string' ? { listener: v.listener } : {}),
    method,
    path: typeof v.path === 'string' ? v.path : '/v1/chat/completions',
    headers,
    ...(body !== undefined ? { body } : {}),
    ...(upstream ? { upstream } : {}),
    json: v.json === true,
    out: (text) => void process.stdout.write(text),
  });
}

async function init(dir: string, providerList: string, force: boolean): Promise<number> {
  const providers = providerList.split(',').map((p) => p.trim().toLowerCase()).filter(Boolean);
  const unknown = providers.filter((p) => !Object.hasOwn(PRESETS, p));
  if (unknown.length || providers.length === 0) {
    const hint = unknown.map((u) => didYouMean(u, Object.keys(PRESETS))).filter(Boolean).join('; ');
    return usage(`--providers takes a comma-separated list of ${Object.keys(PRESETS).join(', ')} (unknown: ${unknown.join(', ') || 'none given'})${hint ? `; ${hint}` : ''}`);
  }
  const file = resolve(dir, 'conf.yaml');
  if (existsSync(file) && !force) {
    process.stderr.write(`dgp: ${file} exists; not overwriting it (pass --force to replace it, or --config-dir <another folder>)\n`);
    return 1;
  }
  mkdirSync(resolve(dir), { recursive: true });
  writeFileSync(file, initConfig([...new Set(providers)]));
  const checked = await preflight({ configDir: dir }, [], true, {});
  if (checked.errors.length) {
    for (const p of checked.errors) process.stderr.write(`${formatProblem(p)}\n`);
    process.stderr.write(`dgp: the written config does not validate (a bug: please report it)\n`);
    return 1;
  }
  const keys = providers.map((p) => PRESETS[p]!.keyVar).join(', ');
  process.stdout.write(`wrote ${file} (${providers.join(', ')})\nnext: export ${keys} (those you have) and DGP_API_KEY, then: dgp start --config-dir ${dir}\n`);
  return 0;
}

async function routes(source: { file?: string; configDir?: string }, pluginDirs: string[], json: boolean): Promise<number> {
  const { loaded, errors } = await preflight(source, pluginDirs, false);
  if (errors.length || !loaded.config) {
    for (const p of errors) process.stderr.write(`${formatProblem(p)}\n`);
    process.stderr.write(`${loaded.file}: invalid: fix the errors above (\`dgp validate\` lists every problem)\n`);
    return 1;
  }
  const view = routesView(loaded.config);
  process.stdout.write(json ? `${JSON.stringify(view, null, 2)}\n` : `${formatRoutesView(view)}\n`);
  return 0;
}

async function plugins(source: { file?: string; configDir?: string }, pluginDirs: string[], json: boolean): Promise<number> {
  const loaded = await loadConfig({ ...source, env: process.env });
  const dirs = [...(loaded.config?.plugins.dirs ?? []), ...pluginDirs];
  const registry = await loadPlugins({ pluginDirs: dirs });
  const rows = registry.list();
  if (json) process.stdout.write(`${JSON.stringify({ plugins: rows, problems: registry.problems.map(({ cause: _c, ...p }) => p) }, null, 2)}\n`);
  else {
    const w = Math.max(4, ...rows.map((r) => r.kind.length));
    process.stdout.write(`${'KIND'.padEnd(w)}  TYPE      VERSION   SOURCE\n`);
    for (const r of rows) {
      process.stdout.write(`${r.kind.padEnd(w)}  ${r.type.padEnd(8)}  ${(r.version ?? '-').padEnd(8)}  ${r.builtin ? 'built-in' : r.source}\n    ${r.description}\n`);
    }
    for (const p of registry.problems) process.stdout.write(`error ${p.code} ${p.folder}: ${p.message}${p.hint ? ` (${p.hint})` : ''}\n`);
  }
  return registry.problems.length ? 1 : 0;
}

async function start(source: { file?: string; configDir?: string }, pluginDirs: string[], strict: boolean, watch: boolean, logFormat: 'pretty' | undefined): Promise<number> {
  let gw: Gateway;
  try {
    gw = await Gateway.start({ ...source, pluginDirs, strict, env: process.env, watch, ...(logFormat ? { logFormat } : {}) });
  } catch (err) {
    process.stderr.write(`dgp: cannot start: ${isDgpError(err) ? `${err.code} ` : ''}${(err as Error).message}\n`);
    return 1;
  }
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      gw.log.info({ signal }, 'signal received');
      gw.close().then(
        () => resolve(0),
        (err) => {
          gw.log.error({ err }, 'shutdown failed');
          resolve(1);
        },
      );
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGHUP', () => void gw.reload({ trigger: 'signal' }));
    // A bug in a plugin's timer or promise must not take every other request down with it.
    process.on('unhandledRejection', (err) => gw.log.error({ err }, 'unhandled promise rejection'));
    process.on('uncaughtException', (err) => gw.log.error({ err }, 'uncaught exception'));
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // Give pino's async destination a tick to flush, then leave even if a stray handle remains.
    setTimeout(() => process.exit(code), 50).unref();
  },
  (err) => {
    process.stderr.write(`dgp: internal error: ${(err as Error).stack ?? err}\n`);
    process.exit(1);
  },
);
