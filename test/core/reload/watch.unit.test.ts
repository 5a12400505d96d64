// ConfigWatcher on its own (real chokidar, a temp folder, a stand-in reload): a burst of writes becomes one reload, a
// change during a running reload queues exactly one more, two reloads never overlap, superseded() tells a stale
// attempt apart, and close() leaves nothing running.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { createLogger } from '../../../core/observability/logger.js';
import { ConfigWatcher, type WatchReloadRequest } from '../../../core/reload/watch.js';
import { logCapture } from '../../helpers/gateway.js';
import { waitFor } from './helpers.js';

function setup(t: Test, hold = 0, debounceMs = 30) {
  const dir = mkdtempSync(join(tmpdir(), 'dgp-watch-'));
  const file = join(dir, 'conf.yaml');
  writeFileSync(file, 'a: 0\n');
  const calls: WatchReloadRequest[] = [];
  const reads: string[] = [];
  let running = 0;
  let overlap = false;
  const w = new ConfigWatcher({
    log: createLogger({ destination: logCapture().stream }),
    debounceMs,
    async reload(r) {
      calls.push(r);
      reads.push(readFileSync(file, 'utf8'));
      if (++running > 1) overlap = true;
      await new Promise((res) => setTimeout(res, hold));
      running--;
    },
  });
  t.teardown(() => w.close());
  return { dir, file, w, calls, reads, overlap: () => overlap };
}

t.test('a burst of writes becomes one reload naming the file', async (t) => {
  const s = setup(t, 0, 300); // a quiet time far longer than the burst takes
  await s.w.retarget({ files: [s.file], dirs: [] });
  for (let i = 0; i < 20; i++) await writeFile(s.file, `a: ${i}\n`);
  await waitFor(() => s.calls.length > 0, 3000, 'a reload');
  await s.w.settled();
  t.equal(s.calls.length, 1, 'one reload for the burst');
  t.same(s.calls[0]!.changed, [s.file]);
  t.equal(s.calls[0]!.trigger, 'watch');
});

t.test('a change during a running reload queues exactly one more; never two at once', async (t) => {
  const s = setup(t, 1000); // the first reload outlasts all five writes below
  await s.w.retarget({ files: [s.file], dirs: [] });
  await writeFile(s.file, 'a: 1\n');
  await waitFor(() => s.calls.length === 1, 3000, 'first reload running');
  t.notOk(s.calls[0]!.superseded(), 'nothing newer yet');
  for (let i = 0; i < 5; i++) {
    await writeFile(s.file, `a: ${i + 2}\n`);
    await new Promise((r) => setTimeout(r, 40)); // past the debounce: each write fires while the reload still runs
  }
  t.ok(s.calls[0]!.superseded(), 'the running attempt knows a newer change arrived');
  await waitFor(() => s.calls.length === 2, 3000, 'the queued reload');
  await s.w.settled();
  t.equal(s.calls.length, 2, 'five changes during the reload queued one reload, not five');
  t.notOk(s.overlap(), 'reloads never overlapped');
});

t.test('a write right after the previous reload is not lost (chokidar drops changes within 50 ms of the last)', async (t) => {
  const s = setup(t, 0, 5);
  await s.w.retarget({ files: [s.file], dirs: [] });
  for (let i = 1; i <= 5; i++) {
    await writeFile(s.file, `a: ${i}\n`);
    await waitFor(() => s.reads.at(-1) === `a: ${i}\n`, 3000, `write ${i} read by a reload`);
  }
  await s.w.settled();
  t.equal(s.reads.at(-1), 'a: 5\n', 'the last write was read');
});

t.test('unrelated files in the config folder do not trigger; close() stops watching', async (t) => {
  const s = setup(t);
  await s.w.retarget({ files: [s.file], dirs: [] });
  await writeFile(join(s.dir, 'notes.txt'), 'x');
  await writeFile(join(s.dir, '.conf.yaml.swp'), 'x');
  await new Promise((r) => setTimeout(r, 200));
  t.equal(s.calls.length, 0, 'no reload for files the config does not use');
  await s.w.close();
  await writeFile(s.file, 'a: 9\n');
  await new Promise((r) => setTimeout(r, 200));
  t.equal(s.calls.length, 0, 'closed: no more reloads');
});
