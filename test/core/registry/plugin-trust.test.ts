// Which third-party packages are loaded: a folder symlinked out of the plugin directory and a world-writable folder or
// entry are refused (DGP_ERR_PLUGIN_UNSAFE; a warning with plugins.allow_unsafe), and with plugins.integrity only
// pinned packages whose entry hashes to the pin load (DGP_ERR_PLUGIN_INTEGRITY) — also through a real gateway start.
import { createHash } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { loadPlugins } from '../../../core/registry/index.js';
import { startGateway } from '../../helpers/gateway.js';

const noBuiltins = { builtinRoot: false } as const;

async function writePlugin(folder: string, kind: string): Promise<string> {
  await mkdir(folder, { recursive: true });
  await writeFile(join(folder, 'package.json'), JSON.stringify({ name: kind, type: 'module' }));
  const entry = join(folder, 'index.js');
  await writeFile(entry, `export default { kind: '${kind}', apiVersion: 1, description: 'd', configSchema: { type: 'object' }, create: () => ({ decode: (ctx) => ctx.reply(200, { kind: '${kind}' }) }) };\n`);
  return entry;
}

t.test('symlinked out of the plugin dir, or world-writable: refused; allow_unsafe loads with a warning', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'dgp-trust-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const plugins = join(dir, 'plugins');
  await writePlugin(join(plugins, 'ok'), 'trust.ok');
  await writePlugin(join(dir, 'outside'), 'trust.linked');
  await symlink(join(dir, 'outside'), join(plugins, 'linked'));
  const wwEntry = await writePlugin(join(plugins, 'ww'), 'trust.ww');
  await chmod(wwEntry, 0o666);
  await writePlugin(join(plugins, 'wwdir'), 'trust.wwdir');
  await chmod(join(plugins, 'wwdir'), 0o777);
  const strict = await loadPlugins({ pluginDirs: [plugins], ...noBuiltins });
  t.same(strict.kinds(), ['trust.ok']);
  t.same(strict.problems.map((p) => [p.code, p.folder.slice(plugins.length + 1)]), [
    ['DGP_ERR_PLUGIN_UNSAFE', 'linked'],
    ['DGP_ERR_PLUGIN_UNSAFE', 'ww'],
    ['DGP_ERR_PLUGIN_UNSAFE', 'wwdir'],
  ]);
  t.match(strict.problems[1]!.message, /index\.js is writable by every user \(mode 666\); refused/);
  const warned: string[] = [];
  const log = { warn: (_o: unknown, m: string) => warned.push(m), debug: () => undefined } as never;
  const lenient = await loadPlugins({ pluginDirs: [plugins], ...noBuiltins, trust: { allowUnsafe: true }, log });
  t.same(lenient.kinds(), ['trust.linked', 'trust.ok', 'trust.ww', 'trust.wwdir']);
  t.equal(warned.length, 3, 'one warning per unsafe package');
});

t.test('plugins.integrity: only pinned packages with a matching sha256 load; the gateway refuses to start otherwise', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'dgp-integrity-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const plugins = join(dir, 'plugins');
  const entry = await writePlugin(join(plugins, 'pinned'), 'trust.pinned');
  await writePlugin(join(plugins, 'unlisted'), 'trust.unlisted');
  const sha = createHash('sha256').update(await readFile(entry)).digest('hex');
  const ok = await loadPlugins({ pluginDirs: [plugins], ...noBuiltins, trust: { integrity: { pinned: sha } } });
  t.same(ok.kinds(), ['trust.pinned']);
  t.match(ok.problems, [{ code: 'DGP_ERR_PLUGIN_INTEGRITY', message: /unlisted is not listed in plugins\.integrity/ }]);
  await writeFile(entry, `${await readFile(entry, 'utf8')}// tampered\n`);
  const tampered = await loadPlugins({ pluginDirs: [plugins], ...noBuiltins, trust: { integrity: { pinned: sha } } });
  t.same(tampered.kinds(), []);
  t.match(tampered.problems[0], { code: 'DGP_ERR_PLUGIN_INTEGRITY', message: new RegExp(`not the pinned ${sha}`) });

  const conf = (pin: string) => `
static_resources:
  listeners:
    - name: main
      address: {socket_address: {address: 127.0.0.1, port: 0}}
      filter_chains:
        filters:
          - name: dgp.filter.httpconnectionmanager
            config:
              route_config:
                routes:
                  - match: {prefix: /}
                    route: {cluster: c}
              http_filters:
                - name: trust.pinned
  clusters:
    - name: c
      endpoints:
        - id: e1
          socket_address: {address: 127.0.0.1, port: 9}
plugins:
  dirs: [${plugins}]
  integrity: {pinned: ${pin}}
`;
  await t.rejects(startGateway(conf(`sha256-${sha}`)), /DGP_ERR_PLUGIN_INTEGRITY: .*pinned.*not the pinned/, 'the tampered entry no longer matches its pin (its integrity error leads)');
  const fresh = createHash('sha256').update(await readFile(entry)).digest('hex');
  const g = await startGateway(conf(`sha256-${fresh}`));
  t.teardown(() => g.close());
  const res = await fetch(`${g.url()}/x`);
  t.same(await res.json(), { kind: 'trust.pinned' }, 'loaded and serving once pinned to the current hash');
});
