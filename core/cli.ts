#!/usr/bin/env node
// `dgp start | validate | routes | plugins | init | request`: the one binary; the commands other than start are in
// cli-commands.ts. start runs until SIGTERM/SIGINT (graceful drain), reloads on SIGHUP and, unless --no-watch,
// whenever conf.yaml, a file it references or a plugin folder changes. `start --workers N` runs N such gateways behind
// one primary process (core/multicore); this file is also each worker's entry point.
import './runtime-flags.js';
import cluster from 'node:cluster';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Gateway } from './gateway.js';
import { isDgpError } from './errors.js';
import { runPrimary } from './multicore/primary.js';
import { runWorker } from './multicore/worker-bridge.js';
import { WORKER_COUNT_ENV, WORKER_SLOT_ENV } from './multicore/protocol.js';
import { COMMAND_HELP, USAGE } from './cli-help.js';
import { init, plugins, request, routes, usage, validate } from './cli-commands.js';


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
