// A bad edit never replaces a good config (nginx's HUP rollback): broken YAML, an unknown kind, an invalid field, an
// invalid plugin config and an unbindable port each leave the old generation serving live requests, and each is
// reported three ways: an error log line with file:line, dgp_config_reloads_total{result="failure"}, and
// GET /config last_reload.error.
import { createServer, type Server } from 'node:net';
import t from 'tap';
import { startGateway } from '../../helpers/gateway.js';
import { TAG_PLUGIN, getTag, lastReload, reloadCounts, tagConfig, waitFor } from './helpers.js';

const lineOf = (text: string, needle: string): number => text.slice(0, text.indexOf(needle)).split('\n').length;

t.test('each bad edit leaves the old config serving and reports the error with file:line', async (t) => {
  const busy: Server = await new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => resolve(s));
  });
  t.teardown(() => new Promise<void>((r) => busy.close(() => r())));
  const busyPort = (busy.address() as { port: number }).port;
  const g = await startGateway(tagConfig({ tag: 'good' }), { pluginDirs: [TAG_PLUGIN], watch: { retryMs: 50 } });
  t.teardown(() => g.close());
  const good = tagConfig({ tag: 'good' });

  const cases: Array<{ name: string; yaml: string; code: string; at: string }> = [
    { name: 'broken YAML', yaml: good.replace('route: {cluster: c}', 'route: {cluster: c'), code: 'DGP_ERR_CONFIG_YAML', at: '' },
    { name: 'unknown kind', yaml: good.replace('name: reload.tag', 'name: reload.tagg'), code: 'DGP_ERR_PLUGIN_UNKNOWN_KIND', at: 'name: reload.tagg' },
    { name: 'invalid field', yaml: good.replace('port: 0}', 'port: seventy}'), code: 'DGP_ERR_CONFIG_SCHEMA', at: 'port: seventy' },
    { name: 'invalid plugin config', yaml: good.replace('tag: "good"', 'tag: "good", chunks: -3'), code: 'DGP_ERR_PLUGIN_CONFIG', at: 'chunks: -3' },
    {
      name: 'unbindable port',
      yaml: tagConfig({ listeners: [{ name: 'main', port: 0, tag: 'good' }, { name: 'extra', port: busyPort, tag: 'extra' }] }),
      code: 'DGP_ERR_LISTEN',
      at: `port: ${busyPort}`,
    },
  ];
  for (const [i, c] of cases.entries()) {
    const errorsBefore = g.logs.filter((l) => l.level === 'error').length;
    await g.writeConfig(c.yaml);
    await waitFor(async () => (await reloadCounts(g.adminUrl)).failure === i + 1, 5000, `${c.name} reported`);
    t.equal(await getTag(g.url()), 'good', `${c.name}: the old config keeps serving`);
    const report = await lastReload(g.adminUrl);
    t.match(report, { ok: false, code: c.code, trigger: 'watch' }, `${c.name}: last_reload`);
    const where = /conf\.yaml:(\d+):\d+ error (\S+)/.exec(String(report?.error));
    t.ok(where, `${c.name}: last_reload.error has file:line: ${String(report?.error)}`);
    if (c.at) t.equal(Number(where?.[1]), lineOf(c.yaml, c.at), `${c.name}: the line is the one at fault`);
    const logged = g.logs.filter((l) => l.level === 'error').slice(errorsBefore);
    t.equal(logged.length, 1, `${c.name}: one error line`);
    t.match(logged[0], { code: c.code, msg: /^config reload failed; the previous config keeps serving: .*conf\.yaml:\d+:\d+/ });
    t.same(Object.keys(g.gw.listenerPorts()), ['main'], `${c.name}: no listener was left bound`);
  }
  t.equal((await reloadCounts(g.adminUrl)).success, 0);

  await g.writeConfig(tagConfig({ tag: 'fixed' }));
  await waitFor(async () => (await getTag(g.url())) === 'fixed', 5000, 'the fixed config is applied');
  t.match(await lastReload(g.adminUrl), { ok: true, error: undefined });
});

t.test('POST /reload answers 422 with the error, the old config keeps serving', async (t) => {
  const g = await startGateway(tagConfig({ tag: 'good' }), { pluginDirs: [TAG_PLUGIN] });
  t.teardown(() => g.close());
  await g.writeConfig(tagConfig({ tag: 'good' }).replace('name: reload.tag', 'name: reload.tagg'));
  const { request } = await import('undici');
  const res = await request(`${g.adminUrl}/reload`, { method: 'POST', headers: { 'content-type': 'application/json' } });
  t.equal(res.statusCode, 422);
  const body = (await res.body.json()) as { ok: boolean; error: string; trigger: string };
  t.match(body, { ok: false, trigger: 'admin', error: /conf\.yaml:\d+:\d+ error DGP_ERR_PLUGIN_UNKNOWN_KIND .*did you mean.*reload\.tag/i });
  t.equal(await getTag(g.url()), 'good');
});
