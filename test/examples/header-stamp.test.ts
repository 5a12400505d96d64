// The example third-party plugin, copied to a folder outside the project and loaded with --plugin-dir, changes
// responses: its configured header is stamped on the way out, and a bad config is refused at start with file:line.
import { cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { request } from 'undici';
import { startGateway } from '../helpers/gateway.js';

const EXAMPLE = fileURLToPath(new URL('../../examples/plugins/header-stamp', import.meta.url));
const RESPONDER = fileURLToPath(new URL('../fixtures/host-plugins', import.meta.url));

const yaml = (stampConfig: string) => `
static_resources:
  listeners:
    - name: main
      address: {socket_address: {address: 127.0.0.1, port: 0}}
      filter_chains:
        filters:
          - name: dgp.filter.httpconnectionmanager
            config:
              route_config:
                routes: [{match: {prefix: /}, route: {cluster: c}}]
              http_filters:
                - name: example.header-stamp
                  config: ${stampConfig}
                - name: test.responder
                  config: {}
  clusters:
    - name: c
      endpoints: [{id: e1, socket_address: {address: 127.0.0.1, port: 9}}]
`;

t.test('header-stamp from a folder outside the project stamps responses', async (t) => {
  const outside = await mkdtemp(join(tmpdir(), 'dgp-plugins-'));
  await cp(EXAMPLE, join(outside, 'header-stamp'), { recursive: true });
  const g = await startGateway(yaml('{header: X-Served-By, value: dgp-edge-1}'), { pluginDirs: [outside, RESPONDER] });
  t.teardown(() => g.close());
  const res = await request(`${g.url()}/v1/models`);
  t.equal(res.statusCode, 200);
  t.equal(res.headers['x-served-by'], 'dgp-edge-1');
  await res.body.dump();
});

t.test('a bad plugin config is refused at start with the pointer into conf.yaml', async (t) => {
  await t.rejects(startGateway(yaml('{header: "bad header"}'), { pluginDirs: [EXAMPLE, RESPONDER] }), {
    message: /DGP_ERR_PLUGIN_CONFIG/,
  });
});
