// A listener with cert_file / key_file serves HTTPS (fixture: a self-signed certificate for localhost / 127.0.0.1).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { Agent, request } from 'undici';
import { startGateway } from '../../helpers/gateway.js';

const PLUGINS = fileURLToPath(new URL('../../fixtures/host-plugins', import.meta.url));
const TLS = fileURLToPath(new URL('../../fixtures/tls', import.meta.url));

t.test('HTTPS listener', async (t) => {
  const g = await startGateway(
    `
static_resources:
  listeners:
    - name: secure
      protocol_type: HTTPS
      address: {socket_address: {address: 127.0.0.1, port: 0}}
      filter_chains:
        filters:
          - name: dgp.filter.httpconnectionmanager
            config:
              route_config: {routes: [{match: {prefix: /}, route: {cluster: c}}]}
              http_filters: [{name: test.responder, config: {}}]
      config: {cert_file: ${TLS}/cert.pem, key_file: ${TLS}/key.pem}
  clusters:
    - name: c
      endpoints: [{id: e1, socket_address: {address: 127.0.0.1, port: 9}}]
`,
    { pluginDirs: [PLUGINS] },
  );
  t.teardown(() => g.close());
  const port = new URL(g.url()).port;
  const agent = new Agent({ connect: { ca: readFileSync(`${TLS}/cert.pem`) } });
  t.teardown(() => agent.close());
  const res = await request(`https://127.0.0.1:${port}/hello`, { dispatcher: agent });
  t.equal(res.statusCode, 200);
  t.same(await res.body.json(), { ok: true, path: '/hello', params: {} });
  await t.rejects(request(`http://127.0.0.1:${port}/hello`, { headersTimeout: 2000, bodyTimeout: 2000 }).then((r) => r.body.text()), 'plain HTTP is not served');
});
