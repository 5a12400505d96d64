// The `dgp` binary as a user runs it (compiled dist/, real child processes): validate exit codes and output,
// plugins listing, start on a config with port 0, and graceful shutdown on SIGTERM draining an in-flight stream.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { request } from 'undici';
import { startMockOpenAi } from '../helpers/mock-providers/index.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = join(ROOT, 'dist/core/cli.js');
const PLUGINS = join(ROOT, 'test/fixtures/host-plugins');
const EXAMPLE = join(ROOT, 'examples/plugins/header-stamp');

const dgp = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', env: { PATH: process.env.PATH, ...env }, timeout: 30_000 });

const tmpConfig = (yaml: string): string => {
  const dir = mkdtempSync(join(tmpdir(), 'dgp-cli-'));
  writeFileSync(join(dir, 'conf.yaml'), yaml);
  return dir;
};

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

t.test('start, serve, and drain an in-flight stream on SIGTERM, then exit 0', async (t) => {
  const dir = tmpConfig(`static_resources:
  listeners:
    - name: main
      address: {socket_address: {address: 127.0.0.1, port: 0}}
      filter_chains:
        filters:
          - name: dgp.filter.httpconnectionmanager
            config:
              route_config: {routes: [{match: {prefix: /}, route: {cluster: c}}]}
              http_filters:
                - name: test.responder
                  config: {mode: stream, chunks: 20, interval_ms: 50}
  clusters:
    - name: c
      endpoints: [{id: a, socket_address: {address: 127.0.0.1, port: 9}}]
  shutdown_config: {timeout: 10s}
admin: {port: 0}
`);
  const child = spawn(process.execPath, [CLI, 'start', '--config-dir', dir, '--plugin-dir', PLUGINS], { cwd: ROOT, env: { PATH: process.env.PATH } });
  t.teardown(() => child.kill('SIGKILL'));
  let out = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start line: ${out}`)), 15_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /"listeners":\{"main":(\d+)\}/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
  });
  const res = await request(`http://127.0.0.1:${port}/stream`);
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const firstChunk = await res.body[Symbol.asyncIterator]().next();
  t.ok(firstChunk.value, 'stream started');
  child.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 100));
  await t.rejects(request(`http://127.0.0.1:${port}/stream`), 'no new connections once draining');
  let rest = '';
  for await (const chunk of res.body) rest += chunk.toString();
  t.equal(rest.split('data: ').length - 1, 19, 'the in-flight stream completed');
  t.equal(await exited, 0, 'exit 0 after draining');
  t.match(out, /shutdown complete/);
});

t.test('start: the start line names each listener URL and the admin URL; --pretty prints readable lines', async (t) => {
  const dir = tmpConfig(`static_resources:
  listeners:
    - name: main
      address: {socket_address: {address: 127.0.0.1, port: 0}}
      filter_chains:
        filters:
          - name: dgp.filter.httpconnectionmanager
            config:
              route_config: {routes: [{match: {prefix: /}, route: {cluster: c}}]}
              http_filters:
                - name: test.responder
                  config: {}
  clusters:
    - name: c
      endpoints: [{id: a, socket_address: {address: 127.0.0.1, port: 9}}]
admin: {port: 0}
`);
  const run = async (extra: string[], until: RegExp): Promise<string> => {
    const child = spawn(process.execPath, [CLI, 'start', '--no-watch', '--config-dir', dir, '--plugin-dir', PLUGINS, ...extra], { cwd: ROOT, env: { PATH: process.env.PATH } });
    t.teardown(() => child.kill('SIGKILL'));
    let out = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no start line: ${out}`)), 15_000);
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (until.test(out)) (clearTimeout(timer), resolve());
      });
    });
    const exited = new Promise((r) => child.on('exit', r));
    child.kill('SIGTERM');
    await exited;
    return out;
  };
  const json = await run([], /"msg":"dgp-gateway started"/);
  const line = JSON.parse(json.split('\n').find((l) => l.includes('dgp-gateway started'))!) as { msg: string; urls: Record<string, string>; admin_url: string };
  const port = /127\.0\.0\.1:(\d+)/.exec(line.urls.main!)![1];
  t.equal(line.msg, 'dgp-gateway started');
  t.same(line.urls, { main: `http://127.0.0.1:${port}` }, 'each listener by name with its bound URL');
  t.match(line.admin_url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  const pretty = await run(['--pretty'], /shutdown complete|dgp-gateway started.*\n/);
  const startLine = pretty.split('\n').find((l) => l.includes('dgp-gateway started'))!;
  t.match(startLine, /^\d\d:\d\d:\d\d\.\d{3} INFO  dgp-gateway started  generation=1 listeners=main:\d+ urls=main:http:\/\/127\.0\.0\.1:\d+ admin=\d+ admin_url=http:\/\/127\.0\.0\.1:\d+\/ watch=false$/);
  t.notMatch(pretty, /^\{/m, 'no JSON lines');
  t.notMatch(pretty, /\x1b\[/, 'no colour codes when stdout is not a terminal');
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

t.test('init: a commented config for the chosen providers that validates strictly with no environment; never overwrites', async (t) => {
  const base = mkdtempSync(join(tmpdir(), 'dgp-init-'));
  for (const set of ['openai', 'anthropic', 'gemini,vllm', 'openai,anthropic,gemini,deepseek,vllm']) {
    const dir = join(base, set.replace(/,/g, '-'));
    const r = dgp(['init', '--providers', set, '--config-dir', dir]);
    t.equal(r.status, 0, r.stderr);
    t.match(r.stdout, new RegExp(`^wrote ${dir}/conf\\.yaml`));
    const v = dgp(['validate', '--strict', '--config-dir', dir]);
    t.equal(v.status, 0, `${set}: ${v.stdout}`);
    t.match(v.stdout, /conf\.yaml: valid\n$/, `${set}: no warning either`);
    const routes = dgp(['routes', '--config-dir', dir]).stdout;
    for (const p of set.split(',')) t.match(routes, new RegExp(`cluster ${p}  RoundRobin`), `${set}: a cluster for ${p}`);
  }
  const all = dgp(['routes', '--json', '--config-dir', join(base, 'openai-anthropic-gemini-deepseek-vllm')]);
  const view = JSON.parse(all.stdout) as { listeners: Array<{ routes: Array<{ id: string; match: string; cluster: string }> }> };
  const byId = Object.fromEntries(view.listeners[0]!.routes.map((r) => [r.id, `${r.match} → ${r.cluster}`]));
  t.equal(byId.anthropic, 'prefix /v1/messages → anthropic', 'Anthropic clients reach Anthropic');
  t.equal(byId.gemini, 'prefix /v1beta/ → gemini');
  t.equal(byId.openai, 'prefix /v1/ → openai');
  t.ok(view.listeners[0]!.routes.findIndex((r) => r.id === 'anthropic') < view.listeners[0]!.routes.findIndex((r) => r.id === 'openai'), '/v1/messages is matched before /v1/');
  const again = dgp(['init', '--config-dir', join(base, 'openai')]);
  t.equal(again.status, 1);
  t.match(again.stderr, /exists; not overwriting it \(pass --force/);
  t.equal(dgp(['init', '--force', '--config-dir', join(base, 'openai')]).status, 0);
  const bad = dgp(['init', '--providers', 'openai,antropic', '--config-dir', join(base, 'x')]);
  t.equal(bad.status, 2);
  t.match(bad.stderr, /unknown: antropic\); did you mean "anthropic"\?/);
});

t.test('request: one request through the shipped config to a mock upstream; status, body, routing and access line', async (t) => {
  const upstream = await startMockOpenAi({ apiKey: 'sk-client-own', reply: { text: 'hello from the mock', usage: { input: 4, output: 5 } } });
  t.teardown(() => upstream.close());
  const run = (args: string[]) =>
    new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [CLI, 'request', ...args], { cwd: ROOT, env: { PATH: process.env.PATH } });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('exit', (status) => resolve({ status, stdout, stderr }));
    });
  const r = await run(['--config-dir', 'configs', '--upstream', upstream.url, '-m', 'hi there', '-H', 'authorization: Bearer sk-client-own']);
  t.equal(r.status, 0, r.stderr);
  t.match(r.stdout, /^POST \/v1\/chat\/completions → HTTP 200\n/);
  t.match(r.stdout, /"content": "hello from the mock"/);
  t.match(r.stdout, /\nrouting: route llm_proxy#0, cluster openai, endpoint openai, attempts 1\n/);
  t.match(r.stdout, /\naccess log: \{.*"status":200.*"prompt_tokens":4.*"completion_tokens":5/);
  t.equal(upstream.requests.length, 1);
  t.match(upstream.requests[0]!.body, { messages: [{ role: 'user', content: 'hi there' }] }, 'the default body carries the message');
  t.equal(upstream.requests[0]!.headers.authorization, 'Bearer sk-client-own', "no server key configured: the client's own key passes through");
  t.same(readdirSync(join(ROOT, 'configs')).filter((f) => f.startsWith('.dgp-request-')), [], 'the isolated copy of the config is removed');
  const json = await run(['--config-dir', 'configs', '--upstream', upstream.url, '--json', '--stream', '-H', 'authorization: Bearer sk-client-own']);
  const report = JSON.parse(json.stdout) as { status: number; body: string; access_log: { status: number } };
  t.equal(report.status, 200);
  t.match(report.body, /^data: \{/, 'a streamed answer is shown as its events');
  const missing = await run(['--config-dir', 'configs', '--upstream', upstream.url, '--path', '/nowhere']);
  t.equal(missing.status, 1, 'a 404 exits 1');
  t.match(missing.stdout, /^GET \/nowhere → HTTP 404/);
  t.equal((await run(['--upstream', 'ftp://x'])).status, 2);
});
