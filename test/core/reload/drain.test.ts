// Draining a retired generation is bounded (HAProxy's hard-stop-after, Envoy's drain time): a request that outlives
// shutdown_config.timeout after its generation was replaced is cut, the generation is closed, and a log line says so.
// Meanwhile the new generation serves, and a removed listener stops accepting at the swap.
import { connect } from 'node:net';
import t from 'tap';
import { request } from 'undici';
import { startGateway } from '../../helpers/gateway.js';
import { TAG_PLUGIN, events, getTag, tagConfig, waitFor } from './helpers.js';

t.test('a still-busy retired generation is force-closed after shutdown_config.timeout, with a log line', async (t) => {
  events().length = 0;
  const stream = { chunks: 200, interval_ms: 20 };
  const g = await startGateway(tagConfig({ tag: 'slow', stream, shutdownTimeout: '300ms' }), { pluginDirs: [TAG_PLUGIN] });
  t.teardown(() => g.close());
  const old = g.gw.generation;
  const res = await request(`${g.url()}/stream`);
  const body = res.body.text();
  body.catch(() => undefined);
  await new Promise((r) => setTimeout(r, 100));

  await g.writeConfig(tagConfig({ tag: 'fresh', stream, shutdownTimeout: '300ms' }));
  const swappedAt = Date.now();
  t.match(await g.gw.reload(), { ok: true });
  t.equal(await getTag(g.url()), 'fresh', 'the new generation serves at once');
  t.notOk(old.closed, 'the old generation is still draining its stream');

  await t.rejects(body, 'the overstaying stream is cut');
  await waitFor(() => old.closed, 2000, 'old generation closed');
  const waited = Date.now() - swappedAt;
  t.ok(waited >= 250 && waited < 1900, `forced after about shutdown_config.timeout (${waited} ms), not after the stream's 4 s`);
  const line = g.logs.find((l) => /closing it forcibly/.test(String(l.msg)));
  t.match(line, { level: 'warn', generation: old.id, inFlight: 1, timeoutMs: 300 }, 'the forced close is logged');
  t.ok(events().some((e) => e.event === 'close' && e.tag === 'slow'), "the old filter's close() ran");
  await waitFor(() => old.inFlight === 0, 2000, 'the cut request released its lease');
  t.equal(await getTag(g.url()), 'fresh');
});

t.test('a removed listener stops accepting at the swap; a new one is bound before it', async (t) => {
  const g = await startGateway(tagConfig({ listeners: [{ name: 'a', port: 0, tag: 'a' }] }), { pluginDirs: [TAG_PLUGIN] });
  t.teardown(() => g.close());
  const portA = g.gw.port('a');
  await g.writeConfig(tagConfig({ listeners: [{ name: 'b', port: 0, tag: 'b' }] }));
  const result = await g.gw.reload();
  t.match(result, { ok: true, diff: /listeners \+b -a/ });
  t.equal(await getTag(g.url('b')), 'b');
  const refused = await new Promise<string>((resolve) => {
    const s = connect(portA, '127.0.0.1');
    s.on('connect', () => (s.destroy(), resolve('connected')));
    s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
  });
  t.equal(refused, 'ECONNREFUSED', 'the removed listener no longer accepts');
  t.throws(() => g.gw.port('a'), /no listener named a/);
});

t.test('/ready answers 503 draining from the moment shutdown begins, while in-flight streams finish', async (t) => {
  const g = await startGateway(tagConfig({ tag: 'slow', stream: { chunks: 20, interval_ms: 20 }, shutdownTimeout: '5s' }), { pluginDirs: [TAG_PLUGIN] });
  const ready = async () => {
    const res = await request(`${g.adminUrl}/ready`);
    return { status: res.statusCode, body: (await res.body.json()) as { status: string } };
  };
  t.match(await ready(), { status: 200, body: { status: 'ready' } });
  const res = await request(`${g.url()}/stream`);
  const body = res.body.text();
  await new Promise((r) => setTimeout(r, 60));
  const closed = g.gw.close();
  t.match(await ready(), { status: 503, body: { status: 'draining', draining: true } }, 'a load balancer sees the instance leaving');
  t.ok((await body).length > 0, 'the in-flight stream still completes');
  await closed;
});
