// 100 rapid edits (an editor autosaving, a config-management tool rewriting the file): the watcher coalesces them,
// never runs two reloads at once, applies the last edit, and leaves exactly one socket per address and no leaked
// file descriptors, watchers or timers behind.
import { connect, createServer } from 'node:net';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { Agent, request } from 'undici';
import { startGateway } from '../../helpers/gateway.js';
import { TAG_PLUGIN, activeResources, openFds, steady, tagConfig, waitFor } from './helpers.js';

const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

const accepts = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.on('connect', () => (s.destroy(), resolve(true)));
    s.on('error', () => resolve(false));
  });

const WATCHED = ['TCPServerWrap', 'FSEventWrap', 'Timeout', 'TCPSocketWrap', 'FSReqCallback'];
const pick = (r: Record<string, number>) => Object.fromEntries(WATCHED.map((k) => [k, r[k] ?? 0]));

t.test('100 rapid edits: last edit applied, one listener per address, nothing leaked', async (t) => {
  const [p1, p2] = [await freePort(), await freePort()];
  // Edit i: the side listener sits on p1, on p2, or is absent; the last edit (99) puts it on p1 again.
  const edit = (i: number) =>
    tagConfig({
      listeners: [{ name: 'main', port: 0, tag: `e${i}` }, ...(i % 3 === 2 ? [] : [{ name: 'side', port: i % 3 === 0 ? p1 : p2, tag: `side${i}` }])],
      tail: 'workers: {threads: 1}',
    });
  const g = await startGateway(edit(-3), { pluginDirs: [TAG_PLUGIN], watch: { debounceMs: 20 } });
  t.teardown(() => g.close());
  const file = join(g.dir, 'conf.yaml');
  const withAdmin = (y: string) => `${y}\nadmin:\n  address: 127.0.0.1\n  port: 0\n`;
  // The worker thread's own fds (its event loop, message ports) are not ours to count: start it before the baseline.
  const warm = await request(`${g.url('main')}/warm`, { reset: true });
  t.equal(warm.statusCode, 200, 'worker pool warmed');
  await warm.body.dump();
  const baseline = { fds: await steady(openFds), resources: await steady(() => pick(activeResources())) };

  for (let i = 0; i < 100; i++) {
    await writeFile(file, withAdmin(edit(i)));
    if (i % 10 === 9) await new Promise((r) => setTimeout(r, 30)); // let some reloads start mid-burst
  }
  await waitFor(async () => (await g.gw.settled(), g.gw.generation.config.static_resources.listeners[0]!.name === 'main' && JSON.stringify(g.gw.generation.config).includes('"e99"')), 5000, 'edit 99 applied');
  await g.gw.settled();

  // Let closed sockets and transient timers (chokidar's 5 ms throttles) wind down, then compare with the start.
  await waitFor(() => JSON.stringify(openFds()) === JSON.stringify(baseline.fds), 3000, 'fds back to baseline').catch(() => undefined);
  t.same(openFds(), baseline.fds, 'no leaked file descriptors (sockets, inotify, files)');
  await waitFor(() => JSON.stringify(pick(activeResources())) === JSON.stringify(baseline.resources), 3000, 'resources back to baseline').catch(() => undefined);
  t.same(pick(activeResources()), baseline.resources, 'same servers, fs watchers, sockets and timers as before the edits');

  const agent = new Agent();
  t.teardown(() => agent.close());
  const tag = async (port: number) => ((await (await request(`http://127.0.0.1:${port}/unary`, { dispatcher: agent })).body.json()) as { tag: string }).tag;
  t.equal(await tag(g.gw.port('main')), 'e99', 'the last edit is what serves');
  t.equal(await tag(p1), 'side99');
  t.same(Object.keys(g.gw.listenerPorts()).sort(), ['main', 'side'], 'exactly one listener per name');
  t.equal(g.gw.port('side'), p1);
  t.equal(await accepts(p2), false, 'the address the last edit dropped accepts nothing');
  const reloads = g.logs.filter((l) => l.trigger === 'watch');
  t.ok(reloads.length >= 1 && reloads.length < 100, `the 100 edits were coalesced into ${reloads.length} reload(s)`);
  t.equal(g.logs.filter((l) => l.level === 'error').length, 0, 'no reload failed');
});
