// dgp validate: exit codes, every problem with file:line, --no-env, plugin import errors first.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { dgp, tmpConfig } from './helpers.js';

t.test('validate: the shipped configs are valid with no environment variables set', async (t) => {
  const r = dgp(['validate', '--config-dir', 'configs']);
  t.equal(r.status, 0, r.stdout + r.stderr);
  t.match(r.stdout, /conf\.yaml: valid/);
});

t.test('validate: exit 1 and every problem listed with file:line', async (t) => {
  const dir = tmpConfig(`static_resources:
  listeners:
    - name: l
      address: {socket_address: {address: 127.0.0.1, port: 0}}
      filter_chains:
        filters:
          - name: dgp.filter.httpconnectionmanager
            config:
              route_config: {routes: [{match: {prefix: /}, route: {cluster: c}}]}
              http_filters:
                - name: dgp.filter.llm.proxxy
  clusters:
    - name: c
      lb_policy: RoundRobin
      endpoints:
        - id: a
          socket_address: {address: 127.0.0.1, port: 1, domains: ["https://api.openai.com/v1"]}
          llm_meta: {api_key: "\${NOT_SET_ANYWHERE}"}
`);
  const r = dgp(['validate', '--config-dir', dir]);
  t.equal(r.status, 1, r.stdout + r.stderr);
  t.match(r.stdout, /conf\.yaml:11:\d+ .*DGP_ERR_PLUGIN_UNKNOWN_KIND.*dgp\.filter\.llm\.proxy/, 'unknown kind with a suggestion');
  t.match(r.stdout, /conf\.yaml:17:\d+ .*DGP_ERR_CONFIG_DOMAIN/);
  t.match(r.stdout, /conf\.yaml:18:\d+ .*DGP_ERR_CONFIG_ENV_UNSET.*NOT_SET_ANYWHERE/);
  t.match(r.stdout, /invalid: 3 error/);
});

t.test('validate: usage errors exit 2', async (t) => {
  t.equal(dgp(['validate', '--bogus']).status, 2);
  t.equal(dgp(['frobnicate']).status, 2);
  t.equal(dgp([]).status, 2);
  t.equal(dgp(['validate', '-c', 'a.yaml', '--config-dir', 'b']).status, 2);
});

t.test('validate: a missing config is reported, not a crash', async (t) => {
  const r = dgp(['validate', '--config-dir', '/nonexistent/dgp']);
  t.equal(r.status, 1);
  t.match(r.stdout, /DGP_ERR_CONFIG_NOT_FOUND/);
});

t.test('validate --no-env: structure only, an unset ${VAR} is info and the exit is 0; without it, an error', async (t) => {
  const dir = tmpConfig(`static_resources:
  listeners:
    - name: l
      address: {socket_address: {address: 127.0.0.1, port: "\${PORT}"}}
      filter_chains:
        filters:
          - name: dgp.filter.httpconnectionmanager
            config:
              route_config: {routes: [{match: {prefix: /}, route: {cluster: c}}]}
              http_filters:
                - name: dgp.filter.llm.keys
                  config: {keys: [{key: "\${DGP_API_KEY}", alias: ci}]}
                - name: dgp.filter.llm.proxy
  clusters:
    - name: c
      endpoints:
        - id: a
          socket_address: {domains: [api.openai.com], port: 443}
          llm_meta: {api_key: "\${OPENAI_API_KEY}"}
`);
  const strict = dgp(['validate', '--config-dir', dir]);
  t.equal(strict.status, 1, strict.stdout);
  t.equal(strict.stdout.match(/ error DGP_ERR_CONFIG_ENV_UNSET/g)?.length, 3, strict.stdout);
  const r = dgp(['validate', '--no-env', '--config-dir', dir]);
  t.equal(r.status, 0, r.stdout + r.stderr);
  t.equal(r.stdout.match(/ info DGP_ERR_CONFIG_ENV_UNSET/g)?.length, 3, 'each unset variable is listed as info');
  t.match(r.stdout, /conf\.yaml: valid; structure only: 3 unset variable\(s\) not checked/);
  t.notMatch(r.stdout, / error /, 'the empty expansions do not fail the port type or the keys schema');
  const json = JSON.parse(dgp(['validate', '--no-env', '--json', '--config-dir', dir]).stdout) as { valid: boolean; errors: unknown[]; infos: Array<{ code: string }> };
  t.match(json, { valid: true, errors: [] });
  t.same(json.infos.map((i) => i.code), ['DGP_ERR_CONFIG_ENV_UNSET', 'DGP_ERR_CONFIG_ENV_UNSET', 'DGP_ERR_CONFIG_ENV_UNSET']);
  const broken = tmpConfig(readFileSync(join(dir, 'conf.yaml'), 'utf8').replace('prefix: /', 'prefx: /'));
  t.equal(dgp(['validate', '--no-env', '--config-dir', broken]).status, 1, 'a structural error still fails');
});

t.test('validate: a plugin with a syntax error is reported first, at its own file:line, and named as the cause of its unknown kind', async (t) => {
  const dir = tmpConfig(`static_resources:
  listeners:
    - name: l
      address: {socket_address: {address: 127.0.0.1, port: 0}}
      filter_chains:
        filters:
          - name: dgp.filter.httpconnectionmanager
            config:
              route_config: {routes: [{match: {prefix: /}, route: {cluster: c}}]}
              http_filters:
                - name: acme.broken
  clusters:
    - name: c
      endpoints: [{id: a, socket_address: {address: 127.0.0.1, port: 9}}]
plugins:
  dirs: [./plugins]
`);
  const folder = join(dir, 'plugins/broken');
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'package.json'), '{"name":"broken","version":"1.0.0","type":"module","dgp":{"entry":"./index.js"}}');
  writeFileSync(join(folder, 'index.js'), "export default {\n  kind: 'acme.broken',\n  apiVersion: 1,\n  create() { return { decode(ctx) { return ctx.continue( } }; },\n};\n");
  const r = dgp(['validate', '--config-dir', dir]);
  t.equal(r.status, 1);
  const lines = r.stdout.trim().split('\n');
  t.match(lines[0], /plugins\/broken\/index\.js:4:\d+ error DGP_ERR_PLUGIN_IMPORT: .*SyntaxError: Unexpected token/, 'the syntax error first, with its line');
  t.match(lines[1], /conf\.yaml:11:\d+ error DGP_ERR_PLUGIN_UNKNOWN_KIND .*"acme\.broken"; the plugin in .*plugins\/broken that provides it failed to load/);
});
