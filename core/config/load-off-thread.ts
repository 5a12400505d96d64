// loadConfig on a parsing thread, for reloads: reading, parsing, schema checks and normalising a config larger than
// 16 KiB never block the event loop that serves traffic (500 KiB take seconds of CPU), and the thread's heap is capped, so a
// pathological file costs a refused reload, not a frozen or crashed gateway. One short-lived thread per such reload
// (its start-up, a few hundred ms of another core, is paid only for large files).
import { stat } from 'node:fs/promises';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { loadConfig, locatorFor, type LoadedConfig, type LoadOptions } from './load.js';
import { tooLarge } from './limits.js';

/** Heap of the parsing thread: a 4 MiB config parses in a fraction of it. */
const WORKER_HEAP_MB = 256;
const here = fileURLToPath(import.meta.url);
const WORKER_URL = JSON.stringify(pathToFileURL(here.replace(/load-off-thread\.[cm]?[jt]s$/, `load-worker${extname(here)}`)).href);
// Under tsx (the TypeScript sources, in tests) the thread registers tsx itself before importing the .ts entry.
const WORKER_BOOT = extname(here) === '.ts'
  ? `import('tsx/esm/api').then((m) => { m.register(); return import(${WORKER_URL}); })`
  : `import(${WORKER_URL})`;

type Data = Omit<LoadedConfig, 'locate'>;

/** Files up to this size load inline: a few ms, less than a round trip to the thread (and no wait for its start). */
export const INLINE_MAX_BYTES = 16 * 1024;

export async function loadConfigOffThread(opts: LoadOptions): Promise<LoadedConfig> {
  const size = await stat(configFile(opts)).then((s) => s.size, () => 0);
  if (size <= INLINE_MAX_BYTES) return loadConfig(opts);
  const reply = await new Promise<{ data: Data } | Error>((done) => {
    const workerData: LoadOptions = { ...opts, env: { ...(opts.env ?? process.env) } };
    const worker = new Worker(WORKER_BOOT, { eval: true, workerData, resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB } });
    worker.once('message', (data: Data) => done({ data }));
    worker.once('error', done);
    worker.once('exit', (code) => done(new Error(`the config parsing thread exited with code ${code}`)));
  });
  if (!(reply instanceof Error)) return { ...reply.data, locate: locatorFor(reply.data.file, reply.data.positions) };
  if (reply instanceof Error && (reply as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY') {
    // Same shape as any refused config: the old generation keeps serving and the reload reports why.
    const file = configFile(opts);
    const f = tooLarge('', `the config needs more than ${WORKER_HEAP_MB} MB to parse`);
    const problem = { code: f.code, severity: 'error' as const, message: f.message, file, line: 0, col: 0, pointer: '', ...(f.hint ? { hint: f.hint } : {}) };
    return { config: undefined, raw: undefined, problems: [problem], errors: [problem], warnings: [], file, configDir: dirname(file), locate: locatorFor(file, new Map()), positions: new Map() };
  }
  throw reply;
}

/** The file loadConfig reads for these options. */
function configFile(opts: LoadOptions): string {
  return opts.file ? resolve(opts.file) : join(resolve(opts.configDir ?? '.'), 'conf.yaml');
}
