// Per-route filter config through a real gateway: a route's `filters:` override is deep-merged into the listener's
// filter config, the route gets its own instance (others share the listener's), /config shows the override, a
// reload swaps it and closes the old instances, close() closes everything, and a bad override fails the reload.
import t from 'tap';
import { request } from 'undici';
import { startGateway } from '../../helpers/gateway.js';
import { getTag, TAG_PLUGIN, waitFor } from './helpers.js';

type Event = { event: string; tag: string };
const events = (): Event[] => ((globalThis as { __dgpReloadEvents?: Event[] }).__dgpReloadEvents ??= []);

const conf = (override: string) => `static_resources:
  listeners:
    - name: main
      address: {socket_address: {address: 127.0.0.1, port: 0}}
      filter_chains:
        filters:
          - name: dgp.filter.httpconnectionmanager
            config:
              route_config:
                routes:
                  - id: special
                    match: {prefix: /special}
                    route:
                      cluster: c
                      filters:
                        reload.tag: ${override}
                  - id: plain
                    match: {prefix: /}
                    route: {cluster: c}
              http_filters:
                - name: reload.tag
                  config: {tag: base, mode: stream, chunks: 2}
  clusters:
    - name: c
      endpoints: [{id: e1, socket_address: {address: 127.0.0.1, port: 9}}]
`;

t.test('an override applies to its route only, merged key-wise into the listener config', async (t) => {
  events().length = 0;
  const g = await startGateway(conf('{tag: special, chunks: 3}'), { pluginDirs: [TAG_PLUGIN] });
  let closed = false;
  t.teardown(() => (closed ? undefined : g.close()));
  const special = await (await request(`${g.url()}/special/x`)).body.text();
  t.equal(special, 'data: special-0\n\ndata: special-1\n\ndata: special-2\n\n', 'tag and chunks overridden, mode kept from the listener config');
  const plain = await (await request(`${g.url()}/other`)).body.text();
  t.equal(plain, 'data: base-0\n\ndata: base-1\n\n', 'other routes run the listener chain');
  t.same(events().filter((e) => e.event === 'create').map((e) => e.tag).sort(), ['base', 'special'], 'one extra instance for the overriding route');

  const shown = (await (await request(`${g.adminUrl}/config`)).body.json()) as Record<string, any>;
  const routes = JSON.stringify(shown);
  t.match(routes, /"filters":\{"reload\.tag":\{"tag":"special","chunks":3\}\}/, '/config shows the override');

  await g.writeConfig(conf('{tag: renamed}'));
  const result = await g.gw.reload();
  t.ok(result.ok, 'reload with a changed override');
  const text = async (path: string): Promise<string> => (await request(`${g.url()}${path}`)).body.text();
  t.equal(await text('/special/x'), 'data: renamed-0\n\ndata: renamed-1\n\n', 'the new override, chunks back to the listener value');
  t.equal(await getTag(g.url(), '/unary'), 'base');
  await waitFor(() => events().some((e) => e.event === 'close' && e.tag === 'special'), 2000, 'the old override instance closed');

  await g.writeConfig(conf('{tag: 5}'));
  const bad = await g.gw.reload();
  t.notOk(bad.ok, 'an override that breaks the merged config fails the reload');
  t.match(bad.problems?.join('\n'), /conf\.yaml:\d+:\d+ error DGP_ERR_PLUGIN_CONFIG .*\/route\/filters\/reload\.tag\/tag: reload\.tag \(merged with this route's override\)/);
  t.equal(await text('/special/x'), 'data: renamed-0\n\ndata: renamed-1\n\n', 'the previous generation keeps serving');

  await g.close();
  closed = true;
  const created = events().filter((e) => e.event === 'create').length;
  t.equal(events().filter((e) => e.event === 'close').length, created, 'every instance, overrides included, is closed');
});
