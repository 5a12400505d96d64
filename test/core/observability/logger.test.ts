// The process logger's stdout batching never loses a line: one logged just before process.exit is written, and under
// low traffic a line reaches stdout within the flush interval, long before anything else happens. Also the cached
// ISO timestamp against pino's own.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { pino } from 'pino';
import t, { type Test } from 'tap';
import { isoTime } from '../../../core/observability/logger.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const LOGGER = pathToFileURL(join(REPO, 'core/observability/logger.ts')).href;

interface Run {
  stdout: string;
  /** stdout as it was when the child wrote its first stderr line. */
  stdoutAtMarker: string | undefined;
  code: number | null;
}

async function runChild(t: Test, body: string): Promise<Run> {
  const dir = await mkdtemp(join(tmpdir(), 'dgp-logger-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'child.ts');
  await writeFile(file, `import { createLogger } from ${JSON.stringify(LOGGER)};\nconst log = createLogger();\n${body}\n`);
  const child = spawn(process.execPath, ['--import', 'tsx', file], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  const run: Run = { stdout: '', stdoutAtMarker: undefined, code: null };
  child.stdout.on('data', (d: Buffer) => (run.stdout += d.toString('utf8')));
  child.stderr.on('data', () => (run.stdoutAtMarker ??= run.stdout));
  const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  run.code = await new Promise((resolve) => child.on('close', resolve));
  clearTimeout(killer);
  return run;
}

t.test('a line logged right before process.exit reaches stdout', async (t) => {
  const run = await runChild(t, `log.info({ n: 1 }, 'last words');\nprocess.exit(0);`);
  t.equal(run.code, 0);
  t.match(run.stdout, /"msg":"last words"/);
});

t.test('under low traffic a line is written within the flush interval, without waiting for more lines', async (t) => {
  // The marker comes 1.5 s after the line, 15 times the 100 ms flush interval.
  const run = await runChild(t, `log.info('lonely line');\nsetTimeout(() => { process.stderr.write('marker\\n'); setTimeout(() => process.exit(0), 100); }, 1500);`);
  t.equal(run.code, 0);
  t.match(run.stdoutAtMarker, /"msg":"lonely line"/, 'written before the marker');
});

t.test('isoTime gives what pino.stdTimeFunctions.isoTime gives', async (t) => {
  const ms = (s: string) => Date.parse(s.slice(9, -1));
  const bad: string[] = [];
  for (let i = 0; i < 2000; i++) {
    const ours = isoTime();
    const theirs = pino.stdTimeFunctions.isoTime();
    // Taken one call apart, so they may straddle a millisecond.
    if (!/^,"time":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"$/.test(ours) || Math.abs(ms(ours) - ms(theirs)) > 1) bad.push(`${ours} vs ${theirs}`);
  }
  t.same(bad, []);
});
