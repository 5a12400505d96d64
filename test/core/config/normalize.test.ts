// The normalised BootstrapConfig: defaults, durations in ms, id coercion, Pixiu key spellings, generated names,
// absolute paths.
import { join } from 'node:path';
import t from 'tap';
import { loadText } from './helpers.js';

const MINIMAL = `static_resources:
  listeners:
    - filter_chains:
        filters:
          - name: dgp.filter.httpconnectionmanager
            config: {}
`;

t.test('a minimal file gets every default', async (t) => {
  const r = await loadText(t, MINIMAL);
  t.same(r.lines, []);
  t.same(r.config, {
    static_resources: {
      listeners: [
        {
          name: 'listener-1',
          protocol_type: 'HTTP',
          address: { socket_address: { address: '0.0.0.0', port: 8881 } },
          filter_chains: {
            filters: [
              {
                name: 'dgp.filter.httpconnectionmanager',
                config: {
                  route_config: { routes: [], dynamic: false },
                  http_filters: [],
                  server_name: '',
                  idle_timeout: 0,
                  generate_request_id: false,
                  timeout: 0,
                  error_format: 'auto',
                },
              },
            ],
          },
          config: { idle_timeout: 5000, read_timeout: 60000, write_timeout: 0, headers_timeout: 10000, max_header_bytes: 16384, max_body_bytes: 20971520, cert_file: '', key_file: '' },
        },
      ],
      clusters: [],
      adapters: [],
      shutdown_config: { timeout: 30000, step_timeout: 0, reject_policy: 'immediacy' },
    },
    metric: { enable: false, prometheus_port: 0, max_series_per_metric: 2000 },
    admin: { enabled: true, address: '127.0.0.1', port: 8889, token: '', allowed_hosts: [] },
    plugins: { dirs: [], create_timeout: 30000, close_timeout: 5000, allow_unsafe: false, integrity: undefined },
    workers: { threads: 0, max_queue: 1024 },
    admission: {
      max_concurrency: 0,
      queue: { max_length: 1024, max_wait: 5000 },
      shed_heap_fraction: 0,
      priority: { default: 0, allow_header: false, header: 'x-dgp-priority', header_max: undefined },
    },
    log: { level: 'info', access_log: true, format: 'json' },
    audit: { sinks: [], hmac_secret: '', max_queue: 10000, flush_interval: 1000, bodies: { mode: 'off', max_bytes: 4096 } },
    tracing: {
      enabled: false,
      service_name: 'dgp-gateway',
      exporter: { endpoint: 'http://127.0.0.1:4318/v1/traces', timeout: 2000, headers: {} },
      ratio: 1,
      batch: { max_queue: 2048, max_export_batch: 512, schedule_delay: 2000 },
      propagate_to_upstream: false,
      attribute_value_limit: 4096,
    },
  });
});

const CLUSTERS = `  clusters:
    - endpoints:
        - ID: 7
          UnHealthy: true
          meta: { weight: 10, zone: eu, gpu: true }
        - id: b
          socket_address: { domains: [api.example.com:8443] }
          llm_meta:
            health_check_interval: 0
            retry_policy: { name: countbased, config: { times: 3 } }
            model_map: { gpt-4o: deepseek-chat }
        - llm_meta:
            health_check_interval: 10s
            retry_policy: { name: exponentialBACKOFF }
    - name: named
      type: STATIC
      lb_policy: WeightRandom
    - lb_policy: MaglevHashing
      consistent: { maglev_table_size: 307, hash_on: header, hash_key: x-session-id }
`;

t.test('endpoints: ids, key spellings, meta strings, llm_meta, generated cluster names', async (t) => {
  const r = await loadText(t, MINIMAL + CLUSTERS);
  t.same(r.errors, []);
  t.same(r.warnings.map((w) => w.pointer), ['/static_resources/clusters/0/endpoints/0/ID', '/static_resources/clusters/0/endpoints/0', '/static_resources/clusters/0/endpoints/2']);
  const [c0, c1, c2] = r.config!.static_resources.clusters;
  t.same([c0!.name, c1!.name, c2!.name], ['cluster-1', 'named', 'cluster-2']);
  t.same([c0!.type, c1!.type], ['EDS', 'STATIC']);
  t.same([c0!.lb_policy, c1!.lb_policy, c2!.lb_policy], ['Rand', 'WeightRandom', 'MaglevHashing']);
  t.same(c2!.consistent, { replica_num: 0, max_vnode_num: 0, maglev_table_size: 307, hash_on: 'header', hash_key: 'x-session-id' });
  const [e0, e1, e2] = c0!.endpoints;
  t.same({ id: e0!.id, unhealthy: e0!.unhealthy, meta: e0!.meta, llm: e0!.llm_meta }, { id: '7', unhealthy: true, meta: { weight: '10', zone: 'eu', gpu: 'true' }, llm: undefined });
  t.same(e1, {
    id: 'b',
    name: '',
    socket_address: { address: '0.0.0.0', port: 8881, domains: ['api.example.com:8443'], resolver_name: '', certs_dir: '' },
    meta: {},
    unhealthy: false,
    llm_meta: { provider: 'openai', api_key: '', fallback: false, health_check_interval: 0, retry_policy: { name: 'CountBased', config: { times: 3 } }, model_map: { 'gpt-4o': 'deepseek-chat' } },
  });
  t.same([e2!.id, e2!.llm_meta!.health_check_interval, e2!.llm_meta!.retry_policy], ['', 10000, { name: 'ExponentialBackoff', config: {} }]);
});

t.test('an unknown retry policy name is an error with a suggestion (every request to the endpoint would fail)', async (t) => {
  const r = await loadText(t, `${MINIMAL}  clusters:\n    - endpoints:\n        - socket_address: { port: 1 }\n          llm_meta: { retry_policy: { name: CountBase } }\n`);
  t.same(r.lines, ['conf.yaml:10:39 error DGP_ERR_CONFIG_SCHEMA /static_resources/clusters/0/endpoints/0/llm_meta/retry_policy/name: unknown retry policy "CountBase": every request to this endpoint would fail (did you mean "CountBased"?)']);
  t.equal(r.config, undefined);
});

t.test('paths become absolute against the config directory; durations in any form become ms', async (t) => {
  const yaml = `${MINIMAL.replace('    - filter_chains:', `    - name: tls
      protocol_type: HTTPS
      config: { cert_file: tls/cert.pem, key_file: /etc/key.pem, idle_timeout: 1500, read_timeout: 1m30s, write_timeout: "0" }
      filter_chains:`)}plugins:
  dirs: [plugins, /opt/dgp-plugins]
workers: { threads: 3 }
log: { level: debug, access_log: false }
  `;
  const r = await loadText(t, yaml);
  t.same(r.lines, []);
  const l = r.config!.static_resources.listeners[0]!;
  t.same([l.config.cert_file, l.config.key_file], [join(r.dir, 'tls/cert.pem'), '/etc/key.pem']);
  t.same([l.config.idle_timeout, l.config.read_timeout, l.config.write_timeout], [1500, 90000, 0]);
  t.same(r.config!.plugins.dirs, [join(r.dir, 'plugins'), '/opt/dgp-plugins']);
  t.same(r.config!.workers, { threads: 3, max_queue: 1024 });
  t.same(r.config!.log, { level: 'debug', access_log: false, format: 'json' });
  t.equal(r.configDir, r.dir);
});

t.test('adapters: enabled as string or boolean; routes: numeric ids become strings', async (t) => {
  const yaml = MINIMAL.replace('            config: {}', `            config:
              route_config:
                routes:
                  - id: 12
                    match: { path: /v1/chat/completions, methods: [POST], headers: [{ name: x-model, values: [a] }] }
                    route: { cluster: remote }`) + `  adapters:
    - { id: a, name: dgp.adapter.llmregistrycenter, enabled: "false" }
    - { id: 2, name: dgp.adapter.llmregistrycenter }
`;
  const r = await loadText(t, yaml);
  t.same(r.errors, []);
  t.same(r.config!.static_resources.adapters, [
    { id: 'a', name: 'dgp.adapter.llmregistrycenter', enabled: false, config: {} },
    { id: '2', name: 'dgp.adapter.llmregistrycenter', enabled: true, config: {} },
  ]);
  t.same(r.config!.static_resources.listeners[0]!.filter_chains.filters[0]!.config.route_config.routes[0], {
    id: '12',
    match: { prefix: '', path: '/v1/chat/completions', regex: '', methods: ['POST'], headers: [{ name: 'x-model', values: ['a'], regex: false }], model: [] },
    route: { cluster: 'remote', cluster_not_found_response_code: 503 },
  });
});

t.test('Pixiu blocks dgp ignores are accepted with a warning', async (t) => {
  const r = await loadText(t, `${MINIMAL}  pprofConf: { enable: true }\ntracing: { name: jaeger }\nnode: { id: n1 }\n`);
  t.same(r.errors, []);
  t.same(r.warnings.map((w) => `${w.line} ${w.pointer}: ${w.message}`), [
    '7 /static_resources/pprofConf: pprofConf is a Pixiu setting that dgp-gateway ignores',
    '9 /node: node is a Pixiu setting that dgp-gateway ignores',
  ]);
  t.match(r.config!.tracing, { enabled: true, ratio: 1, exporter: { endpoint: 'http://127.0.0.1:4318/v1/traces' } }, "Pixiu's tracing block is honoured");
});
