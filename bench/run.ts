// Entry point of `npm run bench`: starts the mock upstream and every target side by side on loopback, runs the chosen
// scenarios against each, prints a Markdown report on stdout (progress goes to stderr) and writes the results JSON.
// Every child process is stopped at the end, on Ctrl-C and on any error; every step has a time limit.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { installExitHandlers, isStopping, stopAll } from './lib/children.js';
import { describeMachine } from './lib/machine.js';
import { parseOptions, USAGE, UsageError, type BenchOptions } from './lib/options.js';
import { pinRunner } from './lib/pin.js';
import { computeRatios, type ScenarioRows } from './lib/ratios.js';
import { renderReport } from './lib/report.js';
import { removeTempDirs } from './lib/temp.js';
import { runSlow } from './scenarios/slow.js';
import { runSoak } from './scenarios/soak.js';
import { runClosedLoop, runLatency } from './scenarios/throughput.js';
import { CLI, REPO } from './targets/dgp.js';
import { startTargets } from './targets/index.js';

const say = (line: string) => process.stderr.write(`bench: ${line}\n`);

/** A generous upper bound of the whole run, so that nothing can hang it forever. */
function runLimitMs(opts: BenchOptions): number {
  const per = opts.warmupS + (opts.durationS ?? 60);
  return (opts.targets.length * opts.scenarios.length * opts.rounds * per * 3 + 900) * 1000;
}

async function run(opts: BenchOptions): Promise<void> {
  if (opts.pin) pinRunner();
  const machine = describeMachine();
  const startedAt = new Date();
  const profileDir = opts.cpuProf ? await mkdtemp(join(tmpdir(), 'dgp-bench-profile-')) : undefined;
  const { targets, skipped } = await startTargets(opts, say, profileDir);
  const scenarios: ScenarioRows = {};
  for (const name of opts.scenarios) {
    if (name === 'unary' || name === 'sse') scenarios[name] = await runClosedLoop(name, targets, opts, say);
    else if (name === 'latency') scenarios.latency = await runLatency(targets, opts, say);
    else if (name === 'slow') scenarios.slow = await runSlow(targets, opts, say);
    else scenarios.soak = await runSoak(targets, opts, say);
  }
  // Graceful stop first: a gateway under --cpu-prof writes its profile on the way out.
  await stopAll(8000);
  const notes = targets.flatMap((t) => t.notes.map((n) => `${t.name}: ${n}`));
  if (scenarios.soak && !scenarios.soak.length) notes.push('soak: no dgp target was running');
  const ratios = computeRatios(scenarios, opts);
  const stamp = startedAt.toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
  const jsonPath = opts.out ?? join(REPO, 'bench/results', `${stamp}.json`);
  await mkdir(join(jsonPath, '..'), { recursive: true });
  const results = { startedAt: startedAt.toISOString(), finishedAt: new Date().toISOString(), argv: process.argv.slice(2), machine, options: opts, targets, skipped, scenarios, ratios };
  await writeFile(jsonPath, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(renderReport({ when: startedAt.toISOString(), machine, opts, skipped, notes, scenarios, ratios, jsonPath: relative(process.cwd(), jsonPath) || jsonPath }));
  if (profileDir) {
    const files = (await readdir(profileDir)).filter((f) => f.endsWith('.cpuprofile'));
    say(`cpu profiles of dgp: ${files.map((f) => join(profileDir, f)).join(', ') || `none written in ${profileDir}`}`);
    say('summarise one with: npx tsx bench/cpuprofile-summary.ts <file.cpuprofile>');
  }
}

async function main(): Promise<number> {
  let opts: BenchOptions | undefined;
  try {
    opts = parseOptions(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`bench: ${err.message}\n\n${USAGE}\n`);
    return 2;
  }
  if (!opts) return void process.stdout.write(`${USAGE}\n`), 0;
  if (!existsSync(CLI)) {
    process.stderr.write(`bench: ${CLI} is missing: run "npm run build" first (npm run bench does it for you)\n`);
    return 1;
  }
  const cleanup = async () => {
    await stopAll(3000);
    await removeTempDirs();
  };
  installExitHandlers(cleanup);
  const limitMs = runLimitMs(opts);
  const watchdog = setTimeout(() => {
    say(`the run took longer than its limit of ${Math.round(limitMs / 1000)} s: stopping`);
    void cleanup().finally(() => process.exit(1));
  }, limitMs);
  watchdog.unref();
  try {
    await run(opts);
    return 0;
  } catch (err) {
    if (!isStopping()) say(`failed: ${(err as Error).stack ?? err}`);
    return 1;
  } finally {
    clearTimeout(watchdog);
    await cleanup();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`bench: internal error: ${(err as Error).stack ?? err}\n`);
    process.exit(1);
  },
);
