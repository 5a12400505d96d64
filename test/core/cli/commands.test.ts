// dgp --help per command, dgp plugins, dgp routes.
import t from 'tap';
import { EXAMPLE, dgp, tmpConfig } from './helpers.js';

t.test('every command has its own --help, exit 0', async (t) => {
  for (const [cmd, marker] of [['start', /--pretty/], ['validate', /--no-env/], ['plugins', /--json/]] as const) {
    const r = dgp([cmd, '--help']);
    t.equal(r.status, 0);
    t.match(r.stdout, new RegExp(`^usage: dgp ${cmd} \\[options\\]`));
    t.match(r.stdout, marker);
    t.equal(dgp(['help', cmd]).stdout, r.stdout, `dgp help ${cmd} is the same text`);
  }
  t.match(dgp(['--help']).stdout, /`dgp <command> --help` describes one command/);
});

t.test('plugins: lists built-ins and third-party kinds with their source', async (t) => {
  const r = dgp(['plugins', '--config-dir', 'configs', '--plugin-dir', EXAMPLE]);
  t.equal(r.status, 0, r.stderr);
  t.match(r.stdout, /dgp\.filter\.llm\.proxy\s+filter/);
  t.match(r.stdout, /dgp\.filter\.llm\.tokenizer\s+filter/);
  t.match(r.stdout, new RegExp(`example\\.header-stamp\\s+filter\\s+\\S+\\s+${EXAMPLE.replace(/[/.]/g, '\\$&')}`));
});

t.test('routes: the effective routes, filter chains (route overrides marked), clusters and endpoints; keys never shown', async (t) => {
  const dir = tmpConfig(`static_resources:
  listeners:
    - name: edge
      address: {socket_address: {address: 127.0.0.1, port: 9080}}
      filter_chains:
        filters:
          - name: dgp.filter.httpconnectionmanager
            config:
              route_config:
                routes:
                  - id: premium
                    match: {prefix: /v1, headers: [{name: x-tier, values: [gold]}]}
                    route: {cluster: chat, priority: 5, filters: {dgp.filter.llm.tokenizer: {log_to_console: true}}}
                  - match: {path: /v1/models, methods: [GET]}
                    route: {cluster: chat}
              http_filters:
                - name: dgp.filter.llm.tokenizer
                - name: dgp.filter.llm.proxy
  clusters:
    - name: chat
      lb_policy: RoundRobin
      endpoints:
        - id: primary
          socket_address: {domains: [api.openai.com], port: 443}
          llm_meta: {provider: openai, api_key: sk-secret-CANARY, fallback: true, model_map: {gpt-4o: gpt-4o-2024-08-06}}
        - id: local
          socket_address: {address: 127.0.0.1, port: 8000}
          llm_meta: {provider: openai, retry_policy: {name: CountBased, config: {times: 3}}}
`);
  const r = dgp(['routes', '--config-dir', dir]);
  t.equal(r.status, 0, r.stderr);
  t.equal(r.stdout, `listener edge  http://127.0.0.1:9080
  route premium  prefix /v1  [header x-tier = gold; priority 5]  → cluster chat
    filters: dgp.filter.llm.tokenizer* → dgp.filter.llm.proxy
  route edge#1  path /v1/models  [GET]  → cluster chat
    filters: dgp.filter.llm.tokenizer → dgp.filter.llm.proxy
  (* = config overridden by the route)
cluster chat  RoundRobin
  endpoint primary  api.openai.com:443  provider openai  key set  retry NoRetry  fallback  model_map gpt-4o→gpt-4o-2024-08-06
  endpoint local  127.0.0.1:8000  provider openai  key unset  retry CountBased (times 3)
`);
  t.notMatch(r.stdout, /CANARY/);
  const json = JSON.parse(dgp(['routes', '--json', '--config-dir', dir]).stdout) as { listeners: Array<{ routes: Array<{ id: string; filters: unknown[] }> }>; clusters: Array<{ endpoints: Array<{ api_key: string }> }> };
  t.same(json.listeners[0]!.routes[0]!.filters, [{ kind: 'dgp.filter.llm.tokenizer', overridden: true }, { kind: 'dgp.filter.llm.proxy', overridden: false }]);
  t.same(json.clusters[0]!.endpoints.map((e) => e.api_key), ['set', 'unset']);
  t.notMatch(JSON.stringify(json), /CANARY/);
  const bad = dgp(['routes', '--config-dir', tmpConfig('static_resources: {listeners: [], clusters: [], bogus: 1}\n')]);
  t.equal(bad.status, 1);
  t.match(bad.stderr, /unknown field "bogus"/);
});
