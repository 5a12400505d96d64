// Each kind of validation error a user can hit, with its exact one-line message and file:line:col.
import t from 'tap';
import { BASE, lineOf, loadText } from './helpers.js';

t.test('the base config is valid and has no problems', async (t) => {
  const r = await loadText(t, BASE);
  t.same(r.lines, []);
  t.ok(r.config);
});

t.test('unknown field with a did-you-mean', async (t) => {
  const r = await loadText(t, BASE.replace('      lb_policy: RoundRobin', '      lbpolicy: RoundRobin'));
  t.same(r.lines, ['conf.yaml:23:7 error DGP_ERR_CONFIG_SCHEMA /static_resources/clusters/0/lbpolicy: unknown field "lbpolicy" (did you mean "lb_policy"?)']);
  t.equal(r.config, undefined);
});

t.test('enum value with a did-you-mean', async (t) => {
  const yaml = BASE.replace('    - name: main', '    - name: main\n      protocol_type: HTTPX');
  const r = await loadText(t, yaml);
  t.same(r.lines, [
    'conf.yaml:4:7 error DGP_ERR_CONFIG_SCHEMA /static_resources/listeners/0/protocol_type: must be one of HTTP, HTTPS (got string "HTTPX") (did you mean "HTTP"?)',
  ]);
});

t.test('type errors say expected and actual', async (t) => {
  const r = await loadText(t, BASE.replace('port: 8888', 'port: eighty').replace('            api_key: k', '            api_key: [k]'));
  t.same(r.lines, [
    'conf.yaml:7:11 error DGP_ERR_CONFIG_SCHEMA /static_resources/listeners/0/address/socket_address/port: expected integer, got string "eighty"',
    'conf.yaml:31:13 error DGP_ERR_CONFIG_SCHEMA /static_resources/clusters/0/endpoints/0/llm_meta/api_key: expected string, got array',
  ]);
});

t.test('a missing required field points at its parent', async (t) => {
  const r = await loadText(t, BASE.replace('                      cluster: chat', '                      cluster_not_found_response_code: 503'));
  t.same(r.lines, [
    'conf.yaml:16:21 error DGP_ERR_CONFIG_SCHEMA /static_resources/listeners/0/filter_chains/filters/0/config/route_config/routes/0/route/cluster: missing required field "cluster"',
  ]);
});

t.test('many problems are all reported at once, in file order', async (t) => {
  const yaml = BASE.replace('port: 8888', 'port: x')
    .replace('prefix: /v1', 'prefx: /v1')
    .replace('- name: dgp.filter.llm.proxy', '- name: ""')
    .replace('lb_policy: RoundRobin', 'lb_policy: 3')
    .replace('port: 9000', 'port: -1')
    .replace('provider: openai', 'providr: openai')
    .replace('api_key: k', 'api_keys: k');
  const r = await loadText(t, `${yaml}log:\n  level: verbose\nworkers: { threads: -1 }\n`);
  t.same(r.errors.map((p) => p.line), [7, 15, 20, 23, 28, 30, 31, 33, 34]);
  t.match(r.lines[2], /http_filters\/1\/name: must not be empty$/);
  t.match(r.lines[6], /unknown field "api_keys" \(did you mean "api_key"\?\)$/);
  t.match(r.lines[7], /\/log\/level: must be one of fatal, error, warn, info, debug, trace, silent \(got string "verbose"\)$/);
});

t.test('a domain that is a URL is rejected with the bare host', async (t) => {
  const yaml = BASE.replace('            address: 127.0.0.1\n            port: 9000', '            domains: ["https://api.openai.com/v1", "api.deepseek.com:443"]');
  const r = await loadText(t, yaml);
  t.same(r.lines, [
    'conf.yaml:27:23 error DGP_ERR_CONFIG_DOMAIN /static_resources/clusters/0/endpoints/0/socket_address/domains/0: domains entry "https://api.openai.com/v1" is a URL, not a host name (use api.openai.com, not https://api.openai.com/v1)',
  ]);
});

t.test('an endpoint address that is a URL is an error naming the host to write (every request would fail)', async (t) => {
  const r = await loadText(t, BASE.replace('            address: 127.0.0.1\n', '            address: https://api.openai.com/v1\n'));
  t.same(r.lines, [
    'conf.yaml:27:13 error DGP_ERR_CONFIG_DOMAIN /static_resources/clusters/0/endpoints/0/socket_address/address: socket_address.address "https://api.openai.com/v1" is a URL, not a host name or IP address; every request to this endpoint would fail (write address: api.openai.com with port: <port> (the scheme belongs in the proxy\'s scheme setting), or domains: [api.openai.com])',
  ]);
  t.equal(r.config, undefined);
});

t.test('the admin port equal to a listener port is an error (the start would fail with EADDRINUSE)', async (t) => {
  const r = await loadText(t, `${BASE}admin:\n  port: 8888\n`);
  t.equal(r.errors.length, 1);
  t.match(r.lines[0], /^conf\.yaml:33:3 error DGP_ERR_CONFIG_DUPLICATE \/admin\/port: the admin listener binds 127\.0\.0\.1:8888, which listener "main" \(127\.0\.0\.1:8888\) already takes; the gateway would fail to start \(give admin another port, e\.g\. port: 8889\)$/);
  t.same((await loadText(t, `${BASE}admin:\n  port: 8890\n`)).lines, []);
  const byDefault = await loadText(t, BASE.replace('port: 8888', 'port: 8889'));
  t.same(byDefault.lines, ['conf.yaml:7:11 error DGP_ERR_CONFIG_DUPLICATE /static_resources/listeners/0/address/socket_address/port: listener "main" binds 127.0.0.1:8889, the admin listener\'s default port (127.0.0.1:8889); the gateway would fail to start (use another port for the listener, or set admin: { port: <another port> })']);
});

const SECOND_LISTENER = `    - name: main
      address:
        socket_address:
          address: 127.0.0.1
          port: 8888
      filter_chains:
        filters:
          - name: dgp.filter.httpconnectionmanager
            config: {}
`;

t.test('duplicate listener names and addresses', async (t) => {
  const yaml = BASE.replace('  clusters:\n', `${SECOND_LISTENER}  clusters:\n`);
  const r = await loadText(t, yaml);
  t.same(r.lines, [
    'conf.yaml:21:7 error DGP_ERR_CONFIG_DUPLICATE /static_resources/listeners/1/name: duplicate listener name "main" (also at /static_resources/listeners/0) (give every listener its own name)',
    'conf.yaml:25:11 error DGP_ERR_CONFIG_DUPLICATE /static_resources/listeners/1/address/socket_address/port: listener "main" binds 127.0.0.1:8888, which the listener at /static_resources/listeners/0 (127.0.0.1:8888) already takes (use another port)',
  ]);
  const wildcard = await loadText(t, yaml.replace('    - name: main\n      address:\n        socket_address:\n          address: 127.0.0.1\n          port: 8888\n      filter_chains:\n        filters:\n          - name: dgp.filter.httpconnectionmanager\n            config: {}', '    - name: other\n      address:\n        socket_address:\n          address: 0.0.0.0\n          port: 8888\n      filter_chains:\n        filters:\n          - name: dgp.filter.httpconnectionmanager\n            config: {}'));
  t.match(wildcard.lines, [/listener "other" binds 0\.0\.0\.0:8888, which the listener at \/static_resources\/listeners\/0 \(127\.0\.0\.1:8888\) already takes/]);
  const otherPort = await loadText(t, yaml.replace(/port: 8888\n      filter_chains:\n        filters:\n          - name: dgp.filter.httpconnectionmanager\n            config: \{\}/, 'port: 8890\n      filter_chains:\n        filters:\n          - name: dgp.filter.httpconnectionmanager\n            config: {}').replace('    - name: main\n      address:\n        socket_address:\n          address: 127.0.0.1\n          port: 8890', '    - name: second\n      address:\n        socket_address:\n          address: 127.0.0.1\n          port: 8890'));
  t.same(otherPort.errors, []);
});

t.test('duplicate cluster names', async (t) => {
  const r = await loadText(t, `${BASE}    - name: chat\n`);
  t.same(r.lines, [
    'conf.yaml:32:7 error DGP_ERR_CONFIG_DUPLICATE /static_resources/clusters/1/name: duplicate cluster name "chat" (also at /static_resources/clusters/0) (rename one cluster or merge their endpoints)',
  ]);
});

t.test('duplicate adapter ids (filters name stores by id)', async (t) => {
  const adapters = '  adapters:\n    - {id: shared, name: dgp.adapter.store.memory}\n    - {id: shared, name: dgp.adapter.store.redis}\n    - {id: 7, name: dgp.adapter.store.memory}\n';
  const r = await loadText(t, BASE.replace('  clusters:\n', `${adapters}  clusters:\n`));
  t.same(r.lines, [
    'conf.yaml:23:8 error DGP_ERR_CONFIG_DUPLICATE /static_resources/adapters/1/id: duplicate adapter id "shared" (also at /static_resources/adapters/0) (give every adapter its own id)',
  ]);
});

t.test('a listener without the HTTP connection manager', async (t) => {
  const r = await loadText(t, BASE.replace('        filters:\n', '        filters: []\n        filter:\n'));
  t.match(r.lines, [/^conf\.yaml:8:7 error DGP_ERR_CONFIG_SCHEMA \/static_resources\/listeners\/0\/filter_chains: listener "main" has no dgp\.filter\.httpconnectionmanager/]);
  t.match(r.lines.join('\n'), /conf\.yaml:10:9 error DGP_ERR_CONFIG_SCHEMA \/static_resources\/listeners\/0\/filter_chains\/filter: unknown field "filter" \(did you mean "filters"\?\)/);
});

t.test('another network filter name gets a did-you-mean', async (t) => {
  const r = await loadText(t, BASE.replace('- name: dgp.filter.httpconnectionmanager', '- name: dgp.filter.httpconnectionmanger'));
  t.same(r.lines, [
    'conf.yaml:10:13 error DGP_ERR_CONFIG_SCHEMA /static_resources/listeners/0/filter_chains/filters/0/name: must be one of dgp.filter.httpconnectionmanager (got string "dgp.filter.httpconnectionmanger") (did you mean "dgp.filter.httpconnectionmanager"?)',
  ]);
});

t.test('bad durations', async (t) => {
  const yaml = BASE.replace('      filter_chains:', '      config:\n        idle_timeout: 5 seconds\n        read_timeout: "500"\n      filter_chains:');
  const r = await loadText(t, yaml);
  t.same(r.lines.map((l) => l.replace(/ \(.*\)$/, '')), [
    'conf.yaml:9:9 error DGP_ERR_CONFIG_DURATION /static_resources/listeners/0/config/idle_timeout: "5 seconds" is not a duration',
    'conf.yaml:10:9 error DGP_ERR_CONFIG_DURATION /static_resources/listeners/0/config/read_timeout: "500" is not a duration',
  ]);
  t.match(r.problems[0]!.hint, /500ms, 5s, 1m30s/);
});

t.test('a route to an undefined cluster: error, or a warning when an adapter may provide it', async (t) => {
  const yaml = BASE.replace('cluster: chat', 'cluster: caht');
  const r = await loadText(t, yaml);
  t.same(r.lines, [
    'conf.yaml:17:23 error DGP_ERR_CONFIG_REFERENCE /static_resources/listeners/0/filter_chains/filters/0/config/route_config/routes/0/route/cluster: route cluster "caht" is not defined (did you mean "chat"?)',
  ]);
  const withAdapter = await loadText(t, `${yaml.replace('cluster: caht', 'cluster: remote')}  adapters:\n    - id: nacos\n      name: dgp.adapter.llmregistrycenter\n      enabled: "true"\n`);
  t.same(withAdapter.errors, []);
  t.match(withAdapter.lines, [/^conf\.yaml:17:23 warning DGP_ERR_CONFIG_REFERENCE .*route cluster "remote" is not defined in this file; it must come from an adapter \(dgp\.adapter\.llmregistrycenter\)/]);
  t.ok(withAdapter.config);
});

t.test('ID and id together, and UnHealthy with unhealthy', async (t) => {
  const r = await loadText(t, BASE.replace('        - id: a', '        - id: a\n          ID: b\n          unhealthy: true\n          UnHealthy: true'));
  t.same(r.lines, [
    'conf.yaml:26:11 error DGP_ERR_CONFIG_SCHEMA /static_resources/clusters/0/endpoints/0/ID: both ID and id are set (keep one of them (Pixiu treats them as the same key))',
    'conf.yaml:28:11 error DGP_ERR_CONFIG_SCHEMA /static_resources/clusters/0/endpoints/0/UnHealthy: both UnHealthy and unhealthy are set (keep one of them (Pixiu treats them as the same key))',
  ]);
});

t.test('HTTPS without certificate, invalid regexes, hash_on without key', async (t) => {
  const yaml = BASE.replace('    - name: main', '    - name: main\n      protocol_type: HTTPS')
    .replace('prefix: /v1', 'regex: "^/v1/(chat"')
    .replace('lb_policy: RoundRobin', 'lb_policy: RingHashing\n      consistent: { hash_on: header }');
  const r = await loadText(t, yaml);
  t.same(r.lines.map((l) => l.slice(0, l.indexOf(': '))), [
    'conf.yaml:4:7 error DGP_ERR_CONFIG_SCHEMA /static_resources/listeners/0/protocol_type',
    'conf.yaml:16:23 error DGP_ERR_CONFIG_SCHEMA /static_resources/listeners/0/filter_chains/filters/0/config/route_config/routes/0/match/regex',
    'conf.yaml:25:7 error DGP_ERR_CONFIG_SCHEMA /static_resources/clusters/0/consistent/hash_key',
  ]);
  t.match(r.lines[0], /is HTTPS but config\.cert_file or config\.key_file is empty/);
  t.match(r.lines[1], /invalid regular expression/);
  t.match(r.lines[2], /hash_on: header needs a hash_key \(name the header/);
});

t.test('not found, empty file, not a bootstrap', async (t) => {
  const dir = t.testdir({});
  const { loadConfig, formatProblemFrom } = await import('../../../core/config/index.js');
  const missing = await loadConfig({ configDir: dir });
  t.same(missing.problems.map((p) => formatProblemFrom(p, dir)), [
    `conf.yaml error DGP_ERR_CONFIG_NOT_FOUND: no config file at ${dir}/conf.yaml (pass --config-dir <dir> holding conf.yaml, or -c <file>)`,
  ]);
  const empty = await loadText(t, '# nothing here\n');
  t.same(empty.lines, ['conf.yaml:1:1 error DGP_ERR_CONFIG_SCHEMA: the config file is empty (start from configs/conf.yaml or docs/configuration.md)']);
  const list = await loadText(t, '- a\n- b\n');
  t.match(list.lines, [/^conf\.yaml:1:1 error DGP_ERR_CONFIG_SCHEMA: not a bootstrap config: missing static_resources/]);
});

t.test('YAML syntax errors carry their line', async (t) => {
  const r = await loadText(t, BASE.replace('      lb_policy: RoundRobin', '      lb_policy: RoundRobin\n      lb_policy: Rand'));
  t.equal(r.errors.length, 1);
  t.match(r.lines[0], /^conf\.yaml:24:7 error DGP_ERR_CONFIG_YAML: Map keys must be unique/);
  const tabs = await loadText(t, 'static_resources:\n\tlisteners: []\n');
  t.match(tabs.lines[0], /^conf\.yaml:2:\d+ error DGP_ERR_CONFIG_YAML: /);
});

t.test('lineOf helper agrees with the base layout', async (t) => {
  t.equal(lineOf(BASE, 'lb_policy'), 23);
  t.equal(lineOf(BASE, 'api_key'), 31);
});

t.test('formatProblem prints the file relative to the working directory; locate maps pointers', async (t) => {
  const { formatProblem } = await import('../../../core/config/index.js');
  const { join } = await import('node:path');
  const p = { code: 'DGP_ERR_CONFIG_SCHEMA', severity: 'error' as const, message: 'must be one of Rand, RoundRobin', file: join(process.cwd(), 'configs', 'conf.yaml'), line: 42, col: 9, pointer: '/static_resources/clusters/0/lb_policy', hint: 'did you mean "RoundRobin"?' };
  t.equal(formatProblem(p), 'configs/conf.yaml:42:9 error DGP_ERR_CONFIG_SCHEMA /static_resources/clusters/0/lb_policy: must be one of Rand, RoundRobin (did you mean "RoundRobin"?)');
  t.equal(formatProblem({ ...p, file: '/elsewhere/conf.yaml', hint: undefined }).split(' ')[0], '/elsewhere/conf.yaml:42:9');
  const r = await loadText(t, BASE);
  t.same(r.locate('/static_resources/clusters/0/lb_policy'), { file: r.file, line: 23, col: 7 });
  t.same(r.locate('/static_resources/clusters/0/consistent/hash_on'), { file: r.file, line: 22, col: 7 }, 'absent pointers map to the nearest ancestor');
  t.same(r.locate('/static_resources/clusters/0/endpoints/0'), { file: r.file, line: 25, col: 11 });
});

t.test('a YAML syntax error lists its first errors, sums up the cascade, and explains an unquoted ${VAR} in a flow mapping', async (t) => {
  const r = await loadText(t, BASE.replace('            api_key: k', '            api_key: k\n            model_map: {gpt: ${MODEL}, x: y}\n            extra: [a, b'));
  t.ok(r.errors.length <= 4, `at most 3 syntax errors and a summary (got ${r.errors.length})`);
  t.match(r.lines[0], /error DGP_ERR_CONFIG_YAML: .*\(a \$\{VAR\} inside a \{ … \} flow mapping must be quoted: write "\$\{VAR\}"\)$/);
});
