// The SDK as a plugin author gets it: `npm pack` the project, install the tarball into a folder outside the project,
// write a plain-JS plugin and a TypeScript plugin there (compiled against the package's own types), run the shipped
// conformance suite on both, and load them into a gateway started from the installed package's `dgp` binary.
import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import t from 'tap';

const exec = promisify(execFile);
// Children run as from a user's shell: without the loader options the test runner puts in NODE_OPTIONS of every
// child it spawns (they would load the runner's hooks into npm, tsc and the gateway).
const CLEAN = ['-c', 'unset NODE_OPTIONS; exec "$0" "$@"'];
const run = (file: string, args: string[], opts: { cwd: string; timeout?: number }) => exec('/bin/sh', [...CLEAN, file, ...args], opts);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSC = join(ROOT, 'node_modules/.bin/tsc');

const JS_PLUGIN = `import { API_VERSION, defineErrorCode } from 'dgp-gateway';
const Refused = defineErrorCode('ACME_ERR_REFUSED', 403, { summary: 'Refused by acme.js-gate.' });
export default {
  kind: 'acme.js-gate',
  apiVersion: API_VERSION,
  description: 'Refuses requests that carry x-refuse; answers the rest.',
  configSchema: { type: 'object', additionalProperties: false, properties: { header: { type: 'string', default: 'x-refuse', description: 'Header that refuses.' } } },
  create(config) {
    return { decode(ctx) { return ctx.request.headers[config.header] ? ctx.replyError(Refused('refused by header')) : ctx.reply(200, { ok: true }); } };
  },
};
`;

const TS_PLUGIN = `import Type, { type Static } from 'typebox';
import { API_VERSION, defineFilter } from 'dgp-gateway';

const Schema = Type.Object({ value: Type.String({ description: 'Value of x-ts-stamp.' }) }, { additionalProperties: false });

export default defineFilter({
  kind: 'acme.ts-stamp',
  apiVersion: API_VERSION,
  description: 'Stamps x-ts-stamp on every response (TypeScript).',
  configSchema: Schema,
  create: (config: Readonly<Static<typeof Schema>>) => ({
    encode(ctx) {
      ctx.response.headers['x-ts-stamp'] = config.value;
    },
  }),
});
`;

const CONFORMANCE = `import { conformanceReport } from 'dgp-gateway/testing';
const results = [];
for (const [dir, valid, invalid] of [
  ['./plugins/js-gate', [{}, { header: 'x-no' }], [{ config: { header: 1 }, pointer: '/header' }]],
  ['./plugins/ts-stamp', [{ value: 'a' }], [{ config: {}, pointer: '/value' }]],
]) {
  const r = await conformanceReport({ dir, validConfigs: valid, invalidConfigs: invalid });
  results.push({ dir, checks: r.checks.length, failed: r.failed });
}
console.log(JSON.stringify(results));
`;

const CONF = `static_resources:
  listeners:
    - name: main
      address: {socket_address: {address: 127.0.0.1, port: 0}}
      filter_chains:
        filters:
          - name: dgp.filter.httpconnectionmanager
            config:
              route_config: {routes: [{match: {prefix: /}, route: {cluster: c}}]}
              http_filters:
                - name: acme.ts-stamp
                  config: {value: from-ts}
                - name: acme.js-gate
  clusters:
    - name: c
      endpoints: [{id: a, socket_address: {address: 127.0.0.1, port: 9}}]
plugins:
  dirs: [../plugins]
admin: {port: 0}
`;

t.test('the packed SDK installs outside the project; JS and TS plugins pass its conformance suite and load', { timeout: 240_000 }, async (t) => {
  const work = await mkdtemp(join(tmpdir(), 'dgp-pack-'));
  t.teardown(() => rm(work, { recursive: true, force: true }));
  await run('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', work], { cwd: ROOT, timeout: 120_000 });
  const tarball = (await readdir(work)).find((f) => f.endsWith('.tgz'));
  t.ok(tarball, 'npm pack made a tarball');
  const project = join(work, 'project');
  await mkdir(join(project, 'plugins/js-gate'), { recursive: true });
  await mkdir(join(project, 'plugins/ts-stamp'), { recursive: true });
  await mkdir(join(project, 'conf'), { recursive: true });
  await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'acme-plugins', private: true, type: 'module' }));
  await run('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline', join(work, tarball!)], { cwd: project, timeout: 180_000 });

  await writeFile(join(project, 'plugins/js-gate/package.json'), JSON.stringify({ name: 'acme-js-gate', version: '1.0.0', type: 'module' }));
  await writeFile(join(project, 'plugins/js-gate/index.js'), JS_PLUGIN);
  await writeFile(join(project, 'plugins/ts-stamp/package.json'), JSON.stringify({ name: 'acme-ts-stamp', version: '1.0.0', type: 'module', dgp: { entry: './dist/index.js' } }));
  await writeFile(join(project, 'plugins/ts-stamp/index.ts'), TS_PLUGIN);
  await writeFile(join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, skipLibCheck: true, outDir: 'plugins/ts-stamp/dist', rootDir: 'plugins/ts-stamp' }, files: ['plugins/ts-stamp/index.ts'] }));
  const tsc = await run(TSC, ['-p', 'tsconfig.json'], { cwd: project }).then(() => 'ok', (e: { stdout: string; stderr: string; message: string }) => e.stdout + e.stderr + e.message);
  t.equal(tsc, 'ok', 'the TypeScript plugin compiles against the installed package types (dgp-gateway, typebox)');

  await writeFile(join(project, 'conformance.mjs'), CONFORMANCE);
  const { stdout } = await run(process.execPath, ['conformance.mjs'], { cwd: project });
  const results = JSON.parse(stdout) as Array<{ dir: string; checks: number; failed: unknown[] }>;
  for (const r of results) {
    t.ok(r.checks > 10, `${r.dir}: the suite ran (${r.checks} checks)`);
    t.same(r.failed, [], `${r.dir}: every conformance check passes`);
  }

  await writeFile(join(project, 'conf/conf.yaml'), CONF);
  const child = spawn('/bin/sh', [...CLEAN, join(project, 'node_modules/.bin/dgp'), 'start', '--no-watch', '--config-dir', 'conf'], { cwd: project });
  t.teardown(() => child.kill('SIGKILL'));
  let out = '';
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start line: ${out}`)), 20_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /"listeners":\{"main":(\d+)\}/.exec(out);
      if (m) (clearTimeout(timer), resolve(Number(m[1])));
    });
  });
  const ok = await fetch(`http://127.0.0.1:${port}/`);
  t.equal(ok.status, 200);
  t.equal(ok.headers.get('x-ts-stamp'), 'from-ts', 'the TypeScript plugin runs in the installed gateway');
  const refused = await fetch(`http://127.0.0.1:${port}/`, { headers: { 'x-refuse': '1' } });
  t.equal(refused.status, 403, 'the JS plugin refuses with its own coded error');
  t.match(await refused.text(), /ACME_ERR_REFUSED/);

  // The web dashboard's static files ship in the package and the installed gateway serves them.
  const admin = /"admin_url":"([^"]+?)\/?"/.exec(out)?.[1];
  t.ok(admin, 'the start line names the admin URL');
  const page = await fetch(`${admin}/dashboard`);
  t.equal(page.status, 200);
  t.match(await page.text(), '<section id="traffic"', 'the installed package serves the dashboard page');
  for (const file of ['app.js', 'metrics.js', 'app.css']) t.equal((await fetch(`${admin}/dashboard/${file}`)).status, 200, `dashboard/${file} is in the package`);
});
