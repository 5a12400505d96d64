// Services through a running gateway: kept across a reload while their config is unchanged, closed and re-created
// when it changes, listed in GET /ready (503 with a reason while one is not ready), closed by Gateway.close().
import t from 'tap';
import { request } from 'undici';
import { startGateway } from '../../helpers/gateway.js';
import { waitFor } from '../reload/helpers.js';
import { PROBE_PLUGIN, probeConf, resetProbe, serviceEvents, setProbeReady } from './helpers.js';

const getJson = async (url: string): Promise<{ status: number; body: any }> => {
  const res = await request(url);
  return { status: res.statusCode, body: await res.body.json() };
};

t.test('unchanged config: the same service after a reload; changed: closed and created anew', async (t) => {
  resetProbe();
  const g = await startGateway(probeConf('a'), { pluginDirs: [PROBE_PLUGIN] });
  t.teardown(() => g.close());
  const first = (await getJson(`${g.url()}/`)).body;
  t.match(first, { label: 'a' });

  await g.writeConfig(probeConf('a'));
  t.match(await g.gw.reload(), { ok: true });
  t.same((await getJson(`${g.url()}/`)).body, first, 'the new generation got the very same instance');
  t.same(serviceEvents(), ['create a'], 'nothing closed, nothing created');

  await g.writeConfig(probeConf('b'));
  t.match(await g.gw.reload(), { ok: true });
  t.match((await getJson(`${g.url()}/`)).body, { label: 'b' });
  await waitFor(() => serviceEvents().includes('close a'), 3000, 'the old service closed with its generation');
  t.same(serviceEvents(), ['create a', 'create b', 'close a']);

  const ready = await getJson(`${g.adminUrl}/ready`);
  t.equal(ready.status, 200);
  t.match(ready.body.detail, { 'probe.connection:b': { ready: true }, 'dgp.cluster.cooldowns': { ready: true }, 'dgp.workers': { ready: true, threads: 1 } });
  t.notOk('probe.connection:a' in ready.body.detail, 'a closed service is no longer listed');

  await g.gw.close();
  t.same(serviceEvents(), ['create a', 'create b', 'close a', 'close b'], 'Gateway.close() closed the rest');
});

t.test('a service that reports not ready makes /ready 503 with its reason', async (t) => {
  resetProbe();
  const g = await startGateway(probeConf('flaky'), { pluginDirs: [PROBE_PLUGIN] });
  t.teardown(() => g.close());
  setProbeReady('flaky', false);
  const down = await getJson(`${g.adminUrl}/ready`);
  t.equal(down.status, 503);
  t.match(down.body, { status: 'not_ready', reason: 'probe.connection:flaky: flaky backend down', detail: { 'probe.connection:flaky': { ready: false } } });
  setProbeReady('flaky', true);
  t.match(await getJson(`${g.adminUrl}/ready`), { status: 200, body: { status: 'ready' } });
});

t.test('a failed reload keeps the services of the serving generation and closes those it created', async (t) => {
  resetProbe();
  const g = await startGateway(probeConf('keep'), { pluginDirs: [PROBE_PLUGIN] });
  t.teardown(() => g.close());
  // The new label's service is created, then the unknown store id fails the build.
  await g.writeConfig(probeConf('doomed', { store: 'nope' }));
  t.match(await g.gw.reload(), { ok: false });
  t.same(serviceEvents(), ['create keep', 'create doomed', 'close doomed']);
  t.match((await getJson(`${g.url()}/`)).body, { label: 'keep' });
});
