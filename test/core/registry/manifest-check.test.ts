// checkManifest: the manifest contract, the API version, and the folder rule for built-ins.
import t from 'tap';
import { API_VERSION } from '../../../core/index.js';
import { checkManifest, expectedForFolder } from '../../../core/registry/index.js';

const valid = () => ({
  kind: 'acme.audit',
  apiVersion: API_VERSION,
  description: 'Audits requests.',
  configSchema: { type: 'object', properties: {} },
  create: () => ({}),
});

t.test('a valid manifest comes back frozen', async (t) => {
  const value = valid();
  const { manifest, problems } = checkManifest(value, '/p/acme');
  t.same(problems, []);
  t.equal(manifest, value);
  t.ok(Object.isFrozen(manifest));
});

t.test('every field problem is listed in one message naming the folder', async (t) => {
  const { manifest, problems } = checkManifest(
    { kind: 'Acme Audit', apiVersion: 1.5, description: '', type: 'middleware', configSchema: [], create: 'no' },
    '/p/acme',
  );
  t.equal(manifest, undefined);
  t.equal(problems.length, 1);
  t.match(problems[0], {
    code: 'DGP_ERR_PLUGIN_MANIFEST',
    folder: '/p/acme',
    hint: /docs\/plugin-authoring\.md/,
    message: /^Plugin in \/p\/acme is not a valid manifest: /,
  });
  for (const field of ['/kind', '/apiVersion', '/description', '/type', '/configSchema', '/create']) {
    t.match(problems[0]?.message, `${field} must`, `${field} is reported`);
  }
});

t.test('not an object at all', async (t) => {
  for (const value of [null, 'x', 42, [valid()]]) {
    const { problems } = checkManifest(value, '/p/x');
    t.match(problems, [{ code: 'DGP_ERR_PLUGIN_MANIFEST', message: /default export must be a manifest object/ }]);
  }
});

t.test('a configSchema that is a class instance is refused', async (t) => {
  class Schema {
    type = 'object';
  }
  const { problems } = checkManifest({ ...valid(), configSchema: new Schema() }, '/p/x');
  t.match(problems, [{ message: /\/configSchema must be a plain object/ }]);
});

t.test('another apiVersion is its own code, naming the kind', async (t) => {
  const { manifest, problems } = checkManifest({ ...valid(), apiVersion: API_VERSION + 1 }, '/p/acme');
  t.equal(manifest, undefined);
  t.match(problems, [{
    code: 'DGP_ERR_PLUGIN_API_VERSION',
    kind: 'acme.audit',
    message: `Plugin "acme.audit" in /p/acme was written for plugin API version ${API_VERSION + 1}; this gateway implements version ${API_VERSION}.`,
  }]);
});

t.test('built-in folders dictate kind and type', async (t) => {
  t.same(expectedForFolder('/x/dist/filters/llm/proxy'), { kinds: ['dgp.filter.llm.proxy'], type: 'filter' });
  t.same(expectedForFolder('/x/adapters/provider/openai'), { kinds: ['dgp.adapter.provider.openai'], type: 'provider' });
  t.same(expectedForFolder('/x/adapters/registry/nacos'), {
    kinds: ['dgp.adapter.registry.nacos', 'dgp.adapter.llmregistrycenter'],
    type: 'adapter',
  });
  t.equal(expectedForFolder('/x/plugins/acme'), undefined);

  const folder = '/x/filters/llm/proxy';
  const ok = checkManifest({ ...valid(), kind: 'dgp.filter.llm.proxy' }, folder, expectedForFolder(folder));
  t.same(ok.problems, []);
  const wrong = checkManifest({ ...valid(), kind: 'dgp.filter.llm.proxy2', type: 'adapter' }, folder, expectedForFolder(folder));
  t.match(wrong.problems, [
    { code: 'DGP_ERR_PLUGIN_MANIFEST', message: /must match its folder; expected "dgp\.filter\.llm\.proxy"/ },
    { code: 'DGP_ERR_PLUGIN_MANIFEST', message: /type is "adapter" but plugins in this folder are of type "filter"/, hint: "Set type: 'filter' in the manifest." },
  ]);
  const provider = '/x/adapters/provider/openai';
  const untyped = checkManifest({ ...valid(), kind: 'dgp.adapter.provider.openai' }, provider, expectedForFolder(provider));
  t.match(untyped.problems, [{ hint: "Set type: 'provider' in the manifest." }], 'type defaults to filter, so providers must say so');
});

t.test('terminal: a boolean, and only for filters', async (t) => {
  t.same(checkManifest({ ...valid(), terminal: true }, '/p/acme').problems, []);
  const notBool = checkManifest({ ...valid(), terminal: 'yes' }, '/p/acme');
  t.match(notBool.problems[0]?.message, /\/terminal must be true or false/);
  const adapter = checkManifest({ ...valid(), type: 'adapter', terminal: true }, '/p/acme');
  t.match(adapter.problems[0]?.message, /\/terminal only applies to filters/);
});
