// Plugin code reloads without a restart: a third-party plugin (plain JS, copied into a plugin folder) whose entry file
// is edited is re-imported under a fresh module URL and the next generation runs the new code; an edit that breaks
// the import fails the reload and the old code keeps serving, and fixing it recovers.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { request } from 'undici';
import { startGateway } from '../../helpers/gateway.js';
import { lastReload, reloadCounts, waitFor } from './helpers.js';

const plugin = (greeting: string) => `export default {
  kind: 'hot.greeter',
  apiVersion: 1,
  description: 'says hello',
  configSchema: { type: 'object', additionalProperties: false, properties: {} },
  create() {
    return { decode: (ctx) => ctx.reply(200, { greeting: '${greeting}' }) };
  },
};
`;

const conf = `static_resources:
  listeners:
    - name: main
      address: {socket_address: {address: 127.0.0.1, port: 0}}
      filter_chains:
        filters:
          - name: dgp.filter.httpconnectionmanager
            config:
              route_config: {routes: [{match: {prefix: /}, route: {cluster: c}}]}
              http_filters: [{name: hot.greeter}]
  clusters:
    - name: c
      endpoints: [{id: e1, socket_address: {address: 127.0.0.1, port: 9}}]
plugins:
  dirs: [./plugins]
`;

t.test('editing a third-party plugin changes behaviour without a restart', async (t) => {
  const g = await startGateway(conf, {
    watch: { retryMs: 50 },
    files: { 'plugins/greeter/package.json': '{"name":"greeter","version":"1.0.0","type":"module","dgp":{"entry":"./index.js"}}', 'plugins/greeter/index.js': plugin('hello v1') },
  });
  t.teardown(() => g.close());
  const greet = async () => ((await (await request(`${g.url()}/`)).body.json()) as { greeting: string }).greeting;
  const entry = join(g.dir, 'plugins/greeter/index.js');
  t.equal(await greet(), 'hello v1');
  t.ok(g.gw.watched?.dirs.includes(join(g.dir, 'plugins')), 'the plugin folder is watched');

  await writeFile(entry, plugin('hello v2'));
  await waitFor(async () => (await greet()) === 'hello v2', 2000, 'the edited plugin serves');
  t.match(await lastReload(g.adminUrl), { ok: true, trigger: 'watch', diff: /plugins ~hot\.greeter/ });

  await writeFile(entry, `${plugin('hello v3')}\nthis is not javascript(`);
  await waitFor(async () => (await reloadCounts(g.adminUrl)).failure === 1, 3000, 'the broken plugin is reported');
  t.equal(await greet(), 'hello v2', 'the old plugin code keeps serving');
  const report = await lastReload(g.adminUrl);
  t.match(report, { ok: false, code: 'DGP_ERR_PLUGIN_IMPORT', error: /greeter\/index\.js:\d+:\d+ error DGP_ERR_PLUGIN_IMPORT: .*SyntaxError: .*\(at .*greeter\/index\.js:\d+:\d+\)/ }, 'the syntax error leads, at its file and line');
  t.match(g.gw.lastReload?.problems?.[1], /conf\.yaml:\d+:\d+ error DGP_ERR_PLUGIN_UNKNOWN_KIND .*"hot\.greeter"; the plugin in .*greeter that provides it failed to load/, 'the unknown kind follows, naming its cause');

  await writeFile(entry, plugin('hello v3'));
  await waitFor(async () => (await greet()) === 'hello v3', 2000, 'the fixed plugin serves');
});

t.test('a plugin folder added to plugins.dirs is picked up and watched after the reload', async (t) => {
  const g = await startGateway(conf.replace('http_filters: [{name: hot.greeter}]', 'http_filters: []').replace('  dirs: [./plugins]', '  dirs: []'), { watch: true });
  t.teardown(() => g.close());
  await mkdir(join(g.dir, 'extra/greeter'), { recursive: true });
  await writeFile(join(g.dir, 'extra/greeter/package.json'), '{"name":"greeter","type":"module","dgp":{"entry":"./index.js"}}');
  await writeFile(join(g.dir, 'extra/greeter/index.js'), plugin('from extra'));
  await g.writeConfig(conf.replace('[./plugins]', '[./extra]'));
  const greet = async () => ((await (await request(`${g.url()}/`)).body.json()) as { greeting?: string }).greeting;
  await waitFor(async () => (await greet()) === 'from extra', 2000, 'the new plugin folder serves');
  t.match(await lastReload(g.adminUrl), { ok: true, diff: /plugins \+hot\.greeter/ });
  t.ok(g.gw.watched?.dirs.includes(join(g.dir, 'extra')), 'the new plugin folder is watched');
  await writeFile(join(g.dir, 'extra/greeter/index.js'), plugin('edited in extra'));
  await waitFor(async () => (await greet()) === 'edited in extra', 2000, 'an edit in the new folder is picked up');
});
