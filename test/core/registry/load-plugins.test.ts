// loadPlugins end to end on fixture folders: built-in discovery, third-party packages, every way a plugin can be
// broken (each reported with its folder while the others still load), and hot-reload re-imports.
import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { DEFAULT_BUILTIN_ROOT, loadPlugins, RUNNING_EXT } from '../../../core/registry/index.js';

const fixtures = fileURLToPath(new URL('../../fixtures/plugins/', import.meta.url));
const at = (...parts: string[]): string => join(fixtures, ...parts);
const noBuiltins = { builtinRoot: false } as const;

t.test('built-ins: kinds mirror folders; helpers and other extensions are skipped', async (t) => {
  const registry = await loadPlugins({ pluginDirs: [], builtinRoot: at('builtin-root'), builtinExt: 'js' });
  t.same(registry.kinds(), ['dgp.adapter.llmregistrycenter', 'dgp.adapter.provider.fake', 'dgp.filter.demo.echo']);
  const echo = registry.resolve('dgp.filter.demo.echo');
  t.match(echo, { type: 'filter', source: { builtin: true, folder: at('builtin-root', 'filters', 'demo', 'echo') } });
  t.equal(registry.resolve('dgp.adapter.provider.fake').type, 'provider');
  t.equal(registry.problems.length, 1, 'only the misnamed built-in is a problem');
  t.match(registry.problems[0], {
    code: 'DGP_ERR_PLUGIN_MANIFEST',
    folder: at('builtin-root', 'filters', 'demo', 'misnamed'),
    message: /kind must match its folder; expected "dgp\.filter\.demo\.misnamed"/,
  });
});

t.test('built-ins: the extension follows the running module; the scan is cached per process', async (t) => {
  t.equal(RUNNING_EXT, 'ts', 'tests run the TypeScript sources through tsx');
  t.equal(DEFAULT_BUILTIN_ROOT, fileURLToPath(new URL('../../../', import.meta.url)), 'the default root is the repo root');
  const ts = await loadPlugins({ pluginDirs: [], builtinRoot: at('builtin-root'), builtinExt: 'ts' });
  t.same(ts.kinds(), ['dgp.filter.demo.ts-only']);
  const again = await loadPlugins({ pluginDirs: [], builtinRoot: at('builtin-root'), builtinExt: 'ts', cacheBust: true });
  t.equal(again.get('dgp.filter.demo.ts-only')?.manifest, ts.get('dgp.filter.demo.ts-only')?.manifest, 'not re-imported');
});

t.test('a folder of packages: dgp.entry wins over main, main over index.js, array exports', async (t) => {
  const registry = await loadPlugins({ pluginDirs: [at('packages')], ...noBuiltins });
  t.same(registry.problems, []);
  t.same(registry.kinds(), ['fixture.alpha', 'fixture.beta.one', 'fixture.beta.two', 'fixture.gamma']);
  t.match(registry.resolve('fixture.alpha').source, {
    entry: at('packages', 'alpha', 'lib', 'entry.js'),
    packageName: 'alpha',
    version: '2.1.0',
    builtin: false,
  });
  t.equal(registry.resolve('fixture.beta.one').source.entry, at('packages', 'beta', 'main.js'));
  t.equal(registry.resolve('fixture.beta.one').version, '0.3.0', 'version falls back to package.json');
  t.equal(registry.resolve('fixture.beta.two').version, '9.9.9', 'the manifest version wins');
  t.equal(registry.resolve('fixture.gamma').source.entry, at('packages', 'gamma', 'index.js'));
  t.ok(Object.isFrozen(registry.resolve('fixture.gamma').manifest), 'manifests are frozen');
});

t.test('a single package, several directories, and the same package listed twice', async (t) => {
  const registry = await loadPlugins({ pluginDirs: [at('single'), at('packages'), at('single')], ...noBuiltins });
  t.same(registry.problems, [], 'a package reached twice is loaded once, not reported as a duplicate');
  t.ok(registry.has('fixture.single'));
  t.ok(registry.has('fixture.alpha'));
  t.same(registry.list().find((p) => p.kind === 'fixture.single'), {
    kind: 'fixture.single',
    type: 'filter',
    version: '1.0.0',
    description: 'fixture fixture.single',
    source: at('single'),
    builtin: false,
  });
});

t.test('the same kind from two folders: the first wins, the problem names both', async (t) => {
  const registry = await loadPlugins({ pluginDirs: [at('dup-a'), at('dup-b')], ...noBuiltins });
  t.equal(registry.resolve('fixture.dup').source.folder, at('dup-a'));
  t.equal(registry.problems.length, 1);
  const [problem] = registry.problems;
  t.equal(problem?.code, 'DGP_ERR_PLUGIN_DUPLICATE_KIND');
  t.equal(problem?.folder, at('dup-b'));
  t.ok(problem?.message.includes(at('dup-a')) && problem.message.includes(at('dup-b')), 'both folders are named');
});

t.test('broken plugins are reported all at once, each with its folder; the healthy one loads', async (t) => {
  const registry = await loadPlugins({ pluginDirs: [at('broken')], ...noBuiltins });
  t.same(registry.kinds(), ['fixture.healthy']);
  const byFolder = (name: string) => registry.problems.filter((p) => p.folder === at('broken', name));
  t.match(byFolder('throws'), [{ code: 'DGP_ERR_PLUGIN_IMPORT', message: /boom at import/, hint: /node / }]);
  t.match(byFolder('old-api'), [{
    code: 'DGP_ERR_PLUGIN_API_VERSION',
    kind: 'fixture.old-api',
    message: /written for plugin API version 2; this gateway implements version 1/,
  }]);
  t.match(byFolder('no-create'), [{ code: 'DGP_ERR_PLUGIN_MANIFEST', message: /\/ must have required properties create/ }]);
  t.match(byFolder('escape'), [{ code: 'DGP_ERR_PLUGIN_PACKAGE', message: /outside the package folder; refused/ }]);
  t.match(byFolder('bad-json'), [{ code: 'DGP_ERR_PLUGIN_PACKAGE', message: /package\.json cannot be read/ }]);
  t.match(byFolder('no-default'), [{ code: 'DGP_ERR_PLUGIN_MANIFEST', message: /has no default export/ }]);
  const badKind = byFolder('bad-kind');
  t.equal(badKind.length, 1, 'one problem per manifest, listing every field');
  t.match(badKind[0]?.message, /\/kind must be a dotted lowercase name such as "acme.audit".*; \/description must be a non-empty string/);
  t.equal(registry.problems.length, 7);
});

t.test('plugin directories that are not there or hold no package', async (t) => {
  const missing = join(fixtures, 'no-such-dir');
  const registry = await loadPlugins({ pluginDirs: [missing, at('builtin-root'), 'relative/dir'], ...noBuiltins });
  t.match(registry.problems, [
    { code: 'DGP_ERR_PLUGIN_DIR', folder: missing, message: /does not exist/ },
    { code: 'DGP_ERR_PLUGIN_DIR', folder: at('builtin-root'), message: /no package\.json, and no subfolder has one/ },
    { code: 'DGP_ERR_PLUGIN_DIR', folder: 'relative/dir', message: /not an absolute path/ },
  ]);
});

t.test('temp packages', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'dgp-registry-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const writePlugin = async (folder: string, description: string): Promise<void> => {
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, 'package.json'), JSON.stringify({ name: 'hot', type: 'module', dgp: { entry: './index.js' } }));
    await writeFile(
      join(folder, 'index.js'),
      `export default { kind: 'fixture.hot', apiVersion: 1, description: ${JSON.stringify(description)},` +
        ` configSchema: {}, create: () => ({ decode() {} }) };\n`,
    );
  };

  t.test('cacheBust re-imports an edited entry and reuses an unchanged one', async (t) => {
    const folder = join(dir, 'hot');
    await writePlugin(folder, 'version one');
    const first = await loadPlugins({ pluginDirs: [folder], cacheBust: true, ...noBuiltins });
    t.equal(first.resolve('fixture.hot').manifest.description, 'version one');
    const unchanged = await loadPlugins({ pluginDirs: [folder], cacheBust: true, ...noBuiltins });
    t.equal(unchanged.resolve('fixture.hot').manifest, first.resolve('fixture.hot').manifest, 'unchanged: module cache hit');
    await writePlugin(folder, 'version two, edited');
    const edited = await loadPlugins({ pluginDirs: [folder], cacheBust: true, ...noBuiltins });
    t.equal(edited.resolve('fixture.hot').manifest.description, 'version two, edited');
    const plain = await loadPlugins({ pluginDirs: [folder], ...noBuiltins });
    const again = await loadPlugins({ pluginDirs: [folder], ...noBuiltins });
    t.equal(again.resolve('fixture.hot').manifest, plain.resolve('fixture.hot').manifest, 'without cacheBust: imported once');
  });

  t.test('an entry symlinked to a file outside the package is refused', async (t) => {
    const folder = join(dir, 'linked');
    await writePlugin(join(dir, 'elsewhere'), 'outside');
    await mkdir(folder);
    await writeFile(join(folder, 'package.json'), JSON.stringify({ name: 'linked', type: 'module' }));
    await symlink(join(dir, 'elsewhere', 'index.js'), join(folder, 'index.js'));
    const registry = await loadPlugins({ pluginDirs: [folder], ...noBuiltins });
    t.same(registry.kinds(), []);
    t.match(registry.problems, [{ code: 'DGP_ERR_PLUGIN_PACKAGE', folder, message: /resolves to .*elsewhere.*outside the package folder/ }]);
  });

  t.test('a package folder symlinked out of its plugin directory is refused, or followed with plugins.allow_unsafe', async (t) => {
    const parent = join(dir, 'linked-parent');
    await writePlugin(join(dir, 'real-hot'), 'via link');
    await mkdir(parent);
    await symlink(join(dir, 'real-hot'), join(parent, 'hot'));
    const refused = await loadPlugins({ pluginDirs: [parent], ...noBuiltins });
    t.same(refused.kinds(), []);
    t.match(refused.problems, [{ code: 'DGP_ERR_PLUGIN_UNSAFE', folder: join(parent, 'hot'), message: /resolves to .*real-hot, outside the plugin directory/ }]);
    const registry = await loadPlugins({ pluginDirs: [parent], ...noBuiltins, trust: { allowUnsafe: true } });
    t.same(registry.problems, []);
    t.equal(registry.resolve('fixture.hot').source.folder, join(parent, 'hot'));
  });
});
