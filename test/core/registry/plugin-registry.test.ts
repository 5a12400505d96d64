// PluginRegistry: resolving kinds (with "did you mean" and the reason a kind is missing), types, and the listing.
import t from 'tap';
import { isDgpError, type PluginManifest, type PluginType } from '../../../core/index.js';
import { PluginRegistry, type PluginEntry } from '../../../core/registry/index.js';

function entry(kind: string, type: PluginType = 'filter', builtin = true): PluginEntry {
  const manifest: PluginManifest = { kind, type, apiVersion: 1, description: `the ${kind}`, configSchema: {}, create: () => ({}) };
  const folder = `/plugins/${kind}`;
  return { manifest, kind, type, version: '1.0.0', source: { folder, entry: `${folder}/index.js`, builtin, version: '1.0.0', packageName: 'p' } };
}

const registry = new PluginRegistry([
  entry('dgp.filter.llm.proxy'),
  entry('dgp.filter.llm.tokenizer'),
  entry('dgp.adapter.llmregistrycenter', 'adapter'),
  entry('acme.filter.audit', 'filter', false),
]);

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return undefined;
}

t.test('resolve returns the entry of a known kind', async (t) => {
  t.equal(registry.resolve('dgp.filter.llm.proxy').manifest.description, 'the dgp.filter.llm.proxy');
  t.equal(registry.resolve('dgp.adapter.llmregistrycenter', 'adapter').type, 'adapter');
});

t.test('an unknown kind: did you mean, and every known kind in the hint', async (t) => {
  for (const [typo, meant] of [
    ['dgp.filter.llm.proxi', 'dgp.filter.llm.proxy'],
    ['dgp.filter.http.llm.proxy', 'dgp.filter.llm.proxy'],
    ['DGP.FILTER.LLM.TOKENIZER', 'dgp.filter.llm.tokenizer'],
    ['llm.proxy', 'dgp.filter.llm.proxy'],
  ] as const) {
    const err = caught(() => registry.resolve(typo));
    t.ok(isDgpError(err));
    t.match(err, {
      code: 'DGP_ERR_PLUGIN_UNKNOWN_KIND',
      message: `Unknown plugin kind "${typo}"; did you mean "${meant}"?`,
      hint: 'Known kinds: acme.filter.audit, dgp.adapter.llmregistrycenter, dgp.filter.llm.proxy, dgp.filter.llm.tokenizer. ' +
        'Add a plugin folder with --plugin-dir or plugins.dirs.',
    }, typo);
  }
  t.match(caught(() => registry.resolve('totally.different')), { message: 'Unknown plugin kind "totally.different"' });
  t.match(caught(() => new PluginRegistry([]).resolve('a.b')), { hint: /^Known kinds: none\./ });
});

t.test('a kind whose plugin failed to load says why instead of guessing', async (t) => {
  const withProblem = new PluginRegistry([entry('dgp.filter.llm.proxy')], [
    { code: 'DGP_ERR_PLUGIN_API_VERSION', message: 'written for plugin API version 2', folder: '/p/old', kind: 'acme.old' },
  ]);
  t.match(caught(() => withProblem.resolve('acme.old')), {
    code: 'DGP_ERR_PLUGIN_UNKNOWN_KIND',
    message: 'Unknown plugin kind "acme.old"; the plugin in /p/old that provides it failed to load ' +
      '(DGP_ERR_PLUGIN_API_VERSION: written for plugin API version 2)',
  });
});

t.test('a kind of the wrong type', async (t) => {
  t.match(caught(() => registry.resolve('dgp.adapter.llmregistrycenter', 'filter')), {
    code: 'DGP_ERR_PLUGIN_WRONG_TYPE',
    message: 'Kind "dgp.adapter.llmregistrycenter" is an adapter plugin, but a filter is expected here.',
    hint: 'List it under static_resources.adapters.',
  });
  t.match(caught(() => registry.resolve('dgp.filter.llm.proxy', 'adapter')), { hint: 'List it under http_filters.' });
});

t.test('duplicates: the first keeps the kind', async (t) => {
  const first = entry('acme.x', 'filter', true);
  const second = { ...entry('acme.x', 'filter', false), source: { ...first.source, folder: '/elsewhere', builtin: false } };
  const dup = new PluginRegistry([first, second]);
  t.equal(dup.resolve('acme.x').source.folder, '/plugins/acme.x');
  t.match(dup.problems, [{
    code: 'DGP_ERR_PLUGIN_DUPLICATE_KIND',
    folder: '/elsewhere',
    message: 'Kind "acme.x" is provided twice: by the built-in /plugins/acme.x and by /elsewhere; the second is ignored.',
  }]);
});

t.test('list() is what dgp plugins and GET /plugins show, sorted by kind', async (t) => {
  t.same(registry.list().map((p) => p.kind), registry.kinds());
  t.same(registry.list()[0], {
    kind: 'acme.filter.audit',
    type: 'filter',
    version: '1.0.0',
    description: 'the acme.filter.audit',
    source: '/plugins/acme.filter.audit',
    builtin: false,
  });
  t.same(JSON.parse(JSON.stringify(registry.list())), registry.list(), 'rows are plain JSON');
});
