// dgp start: serve and drain on SIGTERM, the start line, --pretty.
import { spawn } from 'node:child_process';
import t from 'tap';
import { request } from 'undici';
import { ROOT, CLI, PLUGINS, dgp, tmpConfig } from './helpers.js';

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
  t.match(startLine, /^\d\d:\d\d:\d\d\.\d{3} INFO  dgp-gateway started  generation=1 listeners=main:\d+ admin=\d+ urls=main:http:\/\/127\.0\.0\.1:\d+ admin_url=http:\/\/127\.0\.0\.1:\d+\/ dashboard_url=http:\/\/127\.0\.0\.1:\d+\/dashboard server_keys="none: clients send their own provider keys" watch=false$/);
  t.notMatch(pretty, /^\{/m, 'no JSON lines');
  t.notMatch(pretty, /\x1b\[/, 'no colour codes when stdout is not a terminal');
});
