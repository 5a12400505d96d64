// Runs the conformance suite on the example plugins, and checks what header-stamp does to a response.
import { fileURLToPath } from 'node:url';
import t from 'tap';
import type { RequestContext } from '../../core/index.js';
import { loadPlugins, validatePluginConfig } from '../../core/registry/index.js';
import { readConformanceFixture, runConformance } from '../helpers/conformance.js';
import { stubFactoryContext } from '../helpers/factory-context.js';

const headerStamp = fileURLToPath(new URL('../../examples/plugins/header-stamp', import.meta.url));

t.test('header-stamp passes the conformance suite', async (t) => {
  const fixture = await readConformanceFixture('example.header-stamp');
  t.ok(fixture, 'fixture exists');
  await runConformance(t, { dir: headerStamp, validConfigs: fixture?.valid ?? [], invalidConfigs: fixture?.invalid ?? [] });
});

t.test('header-stamp sets its header in encode and continues', async (t) => {
  const registry = await loadPlugins({ pluginDirs: [headerStamp], builtinRoot: false });
  const entry = registry.resolve('example.header-stamp', 'filter');
  t.equal(entry.source.packageName, 'dgp-plugin-header-stamp');
  t.equal(entry.version, '1.0.0', 'the version comes from package.json');

  const run = async (raw: unknown): Promise<Record<string, unknown>> => {
    const { config, issues } = validatePluginConfig(entry, raw);
    t.same(issues, []);
    const filter = (await entry.manifest.create(config, stubFactoryContext())) as { encode(ctx: RequestContext): unknown };
    const headers: Record<string, unknown> = { 'content-type': 'application/json' };
    const ctx = { response: { status: 200, headers, body: undefined } } as unknown as RequestContext;
    t.equal(filter.encode(ctx), 'continue');
    return headers;
  };
  t.same(await run({ header: 'X-Served-By', value: 'eu-1' }), { 'content-type': 'application/json', 'x-served-by': 'eu-1' });
  t.same(await run({ value: 'v' }), { 'content-type': 'application/json', 'x-stamp': 'v' }, 'header defaults to x-stamp');
});
