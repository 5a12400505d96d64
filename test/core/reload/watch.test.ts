// File watching as an operator meets it: an edit to conf.yaml is live within 1 s with no reload call, whichever way
// the editor saves (in place, rename-over-write, truncate-then-write, a write in two halves), and a half-written file
// is never applied nor reported as a failure once the write completes.
import { rename, truncate, writeFile, appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { startGateway } from '../../helpers/gateway.js';
import { TAG_PLUGIN, getTag, lastReload, reloadCounts, tagConfig, waitFor } from './helpers.js';

const withAdmin = (yaml: string): string => `${yaml}\nadmin:\n  address: 127.0.0.1\n  port: 0\n`;

t.test('a route change is served within 1 s of the write, through file watching alone', async (t) => {
  const g = await startGateway(tagConfig({ tag: 'v1' }), { pluginDirs: [TAG_PLUGIN], watch: true });
  t.teardown(() => g.close());
  t.equal(await getTag(g.url()), 'v1');
  const wroteAt = Date.now();
  await g.writeConfig(tagConfig({ tag: 'v2' }));
  const took = await waitFor(async () => (await getTag(g.url())) === 'v2', 1000, 'v2 served');
  t.ok(Date.now() - wroteAt <= 1000, `served the new route ${took} ms after the write`);
  const line = g.logs.find((l) => typeof l.msg === 'string' && l.msg.startsWith('config reloaded'));
  t.match(line, { trigger: 'watch', diff: /routes \+main\/r-v2 -main\/r-v1/ });
  t.match(line?.changed, [join(g.dir, 'conf.yaml')], 'the log names the file that changed');
  t.match(await lastReload(g.adminUrl), { ok: true, trigger: 'watch' });
});

t.test('editor save styles: rename-over-write, truncate-then-write, two halves with a pause', async (t) => {
  // A generous retry window, so the half-written case below does not hinge on the machine's speed.
  const g = await startGateway(tagConfig({ tag: 'v1' }), { pluginDirs: [TAG_PLUGIN], watch: { retryMs: 1000 } });
  t.teardown(() => g.close());
  const file = join(g.dir, 'conf.yaml');

  // vim / VS Code "atomic save": write a temp file next to it, then rename it over conf.yaml (a new inode).
  for (const tag of ['renamed-1', 'renamed-2']) {
    await writeFile(`${file}.tmp`, withAdmin(tagConfig({ tag })));
    await rename(`${file}.tmp`, file);
    await waitFor(async () => (await getTag(g.url())) === tag, 2000, `${tag} served`);
  }
  t.pass('both rename-over-writes applied (the watch survives the inode change)');

  // truncate, then write: the empty file in between must not be applied nor reported.
  await truncate(file, 0);
  await new Promise((r) => setTimeout(r, 20));
  await appendFile(file, withAdmin(tagConfig({ tag: 'truncated' })));
  await waitFor(async () => (await getTag(g.url())) === 'truncated', 2000, 'truncated served');

  // a partial write that stays half-written longer than the debounce: the first attempt fails, the retry after the
  // write completes succeeds, and nothing is reported as a failure.
  const text = withAdmin(tagConfig({ tag: 'halves' }));
  const cut = text.indexOf('http_filters');
  await writeFile(file, text.slice(0, cut));
  await new Promise((r) => setTimeout(r, 150));
  await appendFile(file, text.slice(cut));
  await waitFor(async () => (await getTag(g.url())) === 'halves', 2000, 'halves served');
  await g.gw.settled();
  t.equal((await reloadCounts(g.adminUrl)).failure, 0, 'no half-written state was ever reported as a failed reload');
  t.equal(g.logs.filter((l) => l.level === 'error').length, 0, 'no error logged');
});

t.test('--no-watch (watch: false): edits are not picked up until a reload is asked for', async (t) => {
  const g = await startGateway(tagConfig({ tag: 'v1' }), { pluginDirs: [TAG_PLUGIN] });
  t.teardown(() => g.close());
  t.equal(g.gw.watched, undefined);
  await g.writeConfig(tagConfig({ tag: 'v2' }));
  await new Promise((r) => setTimeout(r, 400));
  t.equal(await getTag(g.url()), 'v1', 'still the old config');
  t.match(await g.gw.reload(), { ok: true });
  t.equal(await getTag(g.url()), 'v2');
});
