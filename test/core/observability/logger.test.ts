// The process logger's stdout batching never loses a line: one logged just before process.exit is written, and under
// low traffic a line reaches stdout from the periodic flush while the process idles. Also the cached ISO timestamp.
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

interface Child {
  /** Resolves with stdout once `pattern` appeared in it, or rejects after `ms`. */
  waitFor(pattern: RegExp, ms: number): Promise<string>;
  /** Sends a line to the child's stdin. */
  send(text: string): void;
  exited: Promise<{ code: number | null; stdout: string }>;
}

async function startChild(t: Test, body: string): Promise<Child> {
  const dir = await mkdtemp(join(tmpdir(), 'dgp-logger-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'child.ts');
  await writeFile(file, `import { createLogger } from ${JSON.stringify(LOGGER)};\nconst log = createLogger();\n${body}\n`);
  const child = spawn(process.execPath, ['--import', 'tsx', file], { cwd: REPO, stdio: ['pipe', 'pipe', 'inherit'] });
  let stdout = '';
  const waiters = new Set<() => void>();
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString('utf8');
    for (const w of waiters) w();
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const exited = new Promise<{ code: number | null; stdout: string }>((resolve) =>
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout });
    }),
  );
  t.teardown(() => void child.kill('SIGKILL'));
  return {
    exited,
    send: (text) => void child.stdin.write(text),
    waitFor: (pattern, ms) =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          if (!pattern.test(stdout)) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(stdout);
        };
        const timer = setTimeout(() => (waiters.delete(check), reject(new Error(`${pattern} not seen within ${ms} ms: ${stdout}`))), ms);
        waiters.add(check);
        check();
      }),
  };
}

t.test('a line logged right before process.exit reaches stdout', async (t) => {
  const child = await startChild(t, `log.info({ n: 1 }, 'last words');\nprocess.exit(0);`);
  const { code, stdout } = await child.exited;
  t.equal(code, 0);
  t.match(stdout, /"msg":"last words"/);
});

t.test('thousands of lines logged right before process.exit all reach stdout, in order', async (t) => {
  // Several full batches go to the destination asynchronously and the last one is still in the batch at exit.
  const child = await startChild(t, `for (let i = 0; i < 3000; i++) log.info({ i }, 'line');\nprocess.exit(0);`);
  const { code, stdout } = await child.exited;
  t.equal(code, 0);
  const seen = stdout
    .split('\n')
    .filter((l) => l.includes('"msg":"line"'))
    .map((l) => (JSON.parse(l) as { i: number }).i);
  t.equal(seen.length, 3000, 'every line');
  t.same(seen, Array.from({ length: 3000 }, (_, i) => i), 'in order');
});

t.test('under low traffic a line is written by the periodic flush, while the process idles', async (t) => {
  // The child logs once, then idles until told to exit: the line can only come from the periodic flush.
  const child = await startChild(t, `log.info('lonely line');\nprocess.stdin.once('data', () => process.exit(0));`);
  await t.resolves(child.waitFor(/"msg":"lonely line"/, 10_000), 'seen while the child was still idle');
  child.send('bye\n');
  t.equal((await child.exited).code, 0);
});

t.test("isoTime gives pino's isoTime text for the time of the call", async (t) => {
  const bad: string[] = [];
  for (let i = 0; i < 5000; i++) {
    const before = Date.now();
    const ours = isoTime();
    const after = Date.now();
    const at = Date.parse(ours.slice(9, -1));
    // The same text pino writes for that instant, taken within the call: no dependence on timing.
    if (ours !== `,"time":"${new Date(at).toISOString()}"` || at < before || at > after) bad.push(`${before} ${ours} ${after}`);
  }
  t.same(bad, []);
  t.match(pino.stdTimeFunctions.isoTime(), /^,"time":"/, 'the format we mirror');
});
