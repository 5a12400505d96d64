// ${ENV} expansion inside conf.yaml: values in the normalised config, errors with the variable name and file:line.
import t from 'tap';
import { BASE, loadText } from './helpers.js';

t.test('set, default, empty default, escape and several per string', async (t) => {
  const yaml = BASE.replace('api_key: k', 'api_key: "${KEY}"')
    .replace('provider: openai', 'provider: ${PROVIDER:-openai}')
    .replace('address: 127.0.0.1\n            port: 9000', 'address: "${UP_HOST:-}"\n            domains: ["${REGION}.${DOMAIN:-example.com}"]')
    // A function replacement: in a replacement string "$$" would itself collapse to "$".
    .replace('- name: dgp.filter.llm.proxy', () => '- name: dgp.filter.llm.proxy\n                  config: { note: "$${NOT_ME} and ${KEY}" }');
  const r = await loadText(t, yaml, { env: { KEY: 'sk-test', REGION: 'eu' } });
  t.same(r.lines, []);
  const ep = r.config!.static_resources.clusters[0]!.endpoints[0]!;
  t.equal(ep.llm_meta!.api_key, 'sk-test');
  t.equal(ep.llm_meta!.provider, 'openai');
  t.equal(ep.socket_address.address, '');
  t.same(ep.socket_address.domains, ['eu.example.com']);
  const proxy = r.config!.static_resources.listeners[0]!.filter_chains.filters[0]!.config.http_filters[1]!;
  t.same(proxy.config, { note: '${NOT_ME} and sk-test' });
});

t.test('an unset variable is an error naming it, at its line and column', async (t) => {
  const yaml = BASE.replace('api_key: k', 'api_key: "Bearer ${OPENAI_API_KEY}"');
  const r = await loadText(t, yaml, { env: {} });
  t.same(r.lines, [
    'conf.yaml:31:30 error DGP_ERR_CONFIG_ENV_UNSET /static_resources/clusters/0/endpoints/0/llm_meta/api_key: environment variable OPENAI_API_KEY is not set (used as ${OPENAI_API_KEY}) (export OPENAI_API_KEY=..., or write ${OPENAI_API_KEY:-default})',
  ]);
  t.equal(r.config, undefined, 'the literal text is never used');
});

t.test('every unset variable is reported, and validation still runs', async (t) => {
  const yaml = BASE.replace('api_key: k', 'api_key: ${A}-${B}').replace('lb_policy: RoundRobin', 'lb_policy: RoundRobin\n      lbpolicy: x');
  const r = await loadText(t, yaml, { env: {} });
  t.same(r.errors.map((p) => `${p.line}:${p.col} ${p.code} ${p.message}`), [
    '24:7 DGP_ERR_CONFIG_SCHEMA unknown field "lbpolicy"',
    '32:22 DGP_ERR_CONFIG_ENV_UNSET environment variable A is not set (used as ${A})',
    '32:27 DGP_ERR_CONFIG_ENV_UNSET environment variable B is not set (used as ${B})',
  ]);
});

t.test('a malformed placeholder is a syntax error', async (t) => {
  const r = await loadText(t, BASE.replace('api_key: k', 'api_key: ${OPENAI-KEY}'));
  t.match(r.lines, [/^conf\.yaml:31:22 error DGP_ERR_CONFIG_ENV_SYNTAX .*malformed placeholder \$\{OPENAI-KEY\}/]);
});

t.test('a whole-value placeholder becomes a number or boolean where the schema wants one', async (t) => {
  const yaml = BASE.replace('port: 8888', 'port: ${PORT:-8888}').replace('port: 9000', 'port: "${UP_PORT}"');
  const r = await loadText(t, `${yaml}admin:\n  enabled: \${ADMIN:-false}\n`, { env: { UP_PORT: '9100' } });
  t.same(r.lines, []);
  t.equal(r.config!.static_resources.listeners[0]!.address.socket_address.port, 8888);
  t.equal(r.config!.static_resources.clusters[0]!.endpoints[0]!.socket_address.port, 9100);
  t.equal(r.config!.admin.enabled, false);
});

t.test('a value produced by expansion that fails validation says so', async (t) => {
  const yaml = BASE.replace('port: 8888', 'port: ${PORT}').replace('lb_policy: RoundRobin', 'lb_policy: RoundRobin\n      consistent: { hash_on: "${HASH}" }');
  const r = await loadText(t, yaml, { env: { PORT: 'http', HASH: 'cookie' } });
  t.same(r.lines, [
    'conf.yaml:7:11 error DGP_ERR_CONFIG_SCHEMA /static_resources/listeners/0/address/socket_address/port: expected integer, got string "http" (the value came from expanding ${PORT})',
    'conf.yaml:24:21 error DGP_ERR_CONFIG_SCHEMA /static_resources/clusters/0/consistent/hash_on: must be one of method_uri, path, header, body (got string "cookie") (the value came from expanding ${HASH})',
  ]);
});

t.test('keys are never expanded', async (t) => {
  const r = await loadText(t, BASE.replace('      lb_policy: RoundRobin', '      ${LB}: RoundRobin'), { env: { LB: 'lb_policy' } });
  t.match(r.lines, [/unknown field "\$\{LB\}"/]);
});
