// The official Pixiu sample configs (test/fixtures/config/pixiu, Apache-2.0) load unchanged, each with the warnings
// for the mistakes it contains (spec §7–8); the fragment file is refused; --strict turns the warnings into errors.
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { formatProblemFrom, loadConfig } from '../../../core/config/index.js';

const DIR = fileURLToPath(new URL('../../fixtures/config/pixiu/', import.meta.url));
const env = { DEEPSEEK_API_KEY: 'test' };
const HTTP_FILTERS = '/static_resources/listeners/0/filter_chains/filters/0/config/http_filters';
const EP = '/static_resources/clusters/0/endpoints/0';

async function load(name: string, strict = false) {
  const r = await loadConfig({ file: `${DIR}${name}`, env, strict });
  return { ...r, lines: r.problems.map((p) => formatProblemFrom(p, DIR)) };
}

const short = (lines: string[]): string[] => lines.map((l) => l.slice(0, l.indexOf(': ')));

t.test('llm_pixiu_conf.yaml: DeepSeek through proxy and tokenizer', async (t) => {
  const r = await load('llm_pixiu_conf.yaml');
  t.same(r.errors, []);
  t.same(short(r.lines), [
    `llm_pixiu_conf.yaml:46:19 warning DGP_ERR_CONFIG_PIXIU_COMPAT ${HTTP_FILTERS}/1/name`,
    'llm_pixiu_conf.yaml:55:7 warning DGP_ERR_CONFIG_PIXIU_COMPAT /static_resources/clusters/0/lb_policy',
    `llm_pixiu_conf.yaml:57:11 warning DGP_ERR_CONFIG_PIXIU_COMPAT ${EP}/id`,
    `llm_pixiu_conf.yaml:57:11 warning DGP_ERR_CONFIG_PIXIU_COMPAT ${EP}`,
    `llm_pixiu_conf.yaml:63:15 warning DGP_ERR_CONFIG_PIXIU_COMPAT ${EP}/llm_meta/retry_policy/times`,
  ]);
  t.same(r.lines[1], 'llm_pixiu_conf.yaml:55:7 warning DGP_ERR_CONFIG_PIXIU_COMPAT /static_resources/clusters/0/lb_policy: unknown lb_policy "lb"; Rand is used (Pixiu silently uses Rand; write lb_policy: RoundRobin (or RingHashing, MaglevHashing, WeightRandom) or lb_policy: Rand to keep this behaviour)');
  t.same(r.lines[4], `llm_pixiu_conf.yaml:63:15 warning DGP_ERR_CONFIG_PIXIU_COMPAT ${EP}/llm_meta/retry_policy/times: retry_policy.times is outside retry_policy.config and has no effect (Pixiu ignores it; move it to retry_policy.config.times)`);
  t.match(r.lines[0], /dgp\.filter\.llm\.tokenizer comes after dgp\.filter\.llm\.proxy.*\(move dgp\.filter\.llm\.tokenizer before dgp\.filter\.llm\.proxy in http_filters\)$/);
  t.match(r.lines[2], /endpoint id 1 is a number; it is used as the string "1" \(write id: "1"\)$/);
  t.match(r.lines[3], /endpoint has no socket_address; requests go to the default host of llm_meta\.provider "deepseek", https:\/\/api\.deepseek\.com:443 \(Pixiu would send them to 0\.0\.0\.0:8881\)/);
  const c = r.config!;
  const ep = c.static_resources.clusters[0]!.endpoints[0]!;
  t.same(
    { lb: c.static_resources.clusters[0]!.lb_policy, id: ep.id, addr: ep.socket_address, llm: ep.llm_meta },
    {
      lb: 'Rand',
      id: '1',
      addr: { address: 'api.deepseek.com', port: 443, domains: ['api.deepseek.com'], resolver_name: '', certs_dir: '' },
      llm: { provider: 'deepseek', api_key: 'test', scheme: 'https', fallback: false, health_check_interval: 5000, retry_policy: { name: 'CountBased', config: {} } },
    },
  );
  t.same(c.static_resources.listeners[0]!.config, { idle_timeout: 5000, read_timeout: 50000, write_timeout: 50000, headers_timeout: 10000, max_header_bytes: 16384, max_body_bytes: 20971520, cert_file: '', key_file: '' });
  t.same(c.static_resources.shutdown_config, { timeout: 60000, step_timeout: 10000, reject_policy: 'immediacy' });
  t.same(c.metric, { enable: true, prometheus_port: 2222, max_series_per_metric: 2000 });
  t.same(c.static_resources.listeners[0]!.filter_chains.filters[0]!.config.route_config.routes[0]!.route, { cluster: 'chat', cluster_not_found_response_code: 505 });
});

t.test('llm_bestpractise_conf.yaml: a domain endpoint', async (t) => {
  const r = await load('llm_bestpractise_conf.yaml');
  t.same(r.errors, []);
  t.same(short(r.lines), [
    `llm_bestpractise_conf.yaml:46:19 warning DGP_ERR_CONFIG_PIXIU_COMPAT ${HTTP_FILTERS}/1/name`,
    'llm_bestpractise_conf.yaml:55:7 warning DGP_ERR_CONFIG_PIXIU_COMPAT /static_resources/clusters/0/lb_policy',
    `llm_bestpractise_conf.yaml:57:11 warning DGP_ERR_CONFIG_PIXIU_COMPAT ${EP}/id`,
    `llm_bestpractise_conf.yaml:64:15 warning DGP_ERR_CONFIG_PIXIU_COMPAT ${EP}/llm_meta/retry_policy/times`,
  ]);
  const ep = r.config!.static_resources.clusters[0]!.endpoints[0]!;
  t.same(ep.socket_address.domains, ['api.deepseek.com']);
  t.equal(ep.llm_meta!.provider, 'openai', 'provider defaults to openai');
});

t.test('llm_nacos_conf.yaml: clusters come from the registry adapter', async (t) => {
  const r = await load('llm_nacos_conf.yaml');
  t.same(r.errors, []);
  t.same(short(r.lines), [
    'llm_nacos_conf.yaml:37:23 warning DGP_ERR_CONFIG_REFERENCE /static_resources/listeners/0/filter_chains/filters/0/config/route_config/routes/0/route/cluster',
    `llm_nacos_conf.yaml:46:19 warning DGP_ERR_CONFIG_PIXIU_COMPAT ${HTTP_FILTERS}/1/name`,
  ]);
  const [adapter] = r.config!.static_resources.adapters;
  t.same({ ...adapter, config: undefined }, { id: 'test', name: 'dgp.adapter.llmregistrycenter', enabled: true, config: undefined });
  t.equal((adapter!.config.registries as { nacos: { group: string } }).nacos.group, 'test_llm_registry_group');
  t.same(r.config!.static_resources.clusters, []);
});

t.test('ai_kvcache_lmcache_config.yaml: kvcache before the proxy', async (t) => {
  const r = await load('ai_kvcache_lmcache_config.yaml');
  t.same(r.errors, []);
  t.same(r.lines, [
    'ai_kvcache_lmcache_config.yaml:72:7 warning DGP_ERR_CONFIG_PIXIU_COMPAT /static_resources/clusters/0/lb_policy: unknown lb_policy "round_robin"; Rand is used (Pixiu silently uses Rand; write lb_policy: RoundRobin (did you mean "RoundRobin"?) or lb_policy: Rand to keep this behaviour)',
  ]);
  const filters = r.config!.static_resources.listeners[0]!.filter_chains.filters[0]!.config.http_filters;
  t.same(filters.map((f) => f.name), ['dgp.filter.ai.kvcache', 'dgp.filter.llm.proxy']);
  t.equal(filters[0]!.config.hot_window, '5m', 'plugin configs are passed through untouched');
  t.equal(r.config!.static_resources.clusters[0]!.endpoints[0]!.id, 'vllm-instance-1');
});

t.test('ai_kvcache_config.yaml is a fragment, not a bootstrap', async (t) => {
  const r = await load('ai_kvcache_config.yaml');
  t.equal(r.config, undefined);
  t.same(r.lines, [
    "ai_kvcache_config.yaml:1:1 error DGP_ERR_CONFIG_SCHEMA: not a bootstrap config: missing static_resources (this looks like a fragment (top-level http_filters, clusters): put it inside a full bootstrap, e.g. clusters under static_resources.clusters and http_filters under a listener's dgp.filter.httpconnectionmanager config)",
  ]);
});

t.test('strict turns Pixiu-compat warnings into errors (other warnings stay)', async (t) => {
  const r = await load('llm_nacos_conf.yaml', true);
  t.equal(r.config, undefined);
  t.same(r.errors.map((p) => p.code), ['DGP_ERR_CONFIG_PIXIU_COMPAT']);
  t.same(r.warnings.map((p) => p.code), ['DGP_ERR_CONFIG_REFERENCE']);
  t.match(r.lines[1], /^llm_nacos_conf\.yaml:46:19 error DGP_ERR_CONFIG_PIXIU_COMPAT /);
});

t.test('the fixtures are the samples, license header included', async (t) => {
  const { readFileSync } = await import('node:fs');
  t.match(readFileSync(`${DIR}llm_pixiu_conf.yaml`, 'utf8'), /^#\n# Licensed to the Apache Software Foundation \(ASF\)/);
});
