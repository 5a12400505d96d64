// defineFilter: a TypeBox schema goes in without a cast, the config type reaches create, and the result is a frozen
// filter manifest the loader accepts as it is.
import t from 'tap';
import Type, { type Static } from 'typebox';
import { API_VERSION, defineFilter, type HttpFilter, type PluginManifest } from '../../core/index.js';
import { checkManifest, validatePluginConfig } from '../../core/registry/index.js';
import { stubFactoryContext } from '../helpers/factory-context.js';
import { testContext } from '../helpers/request-context.js';

const Schema = Type.Object(
  { value: Type.String({ description: 'Header value.' }), header: Type.String({ description: 'Header name.', default: 'x-stamp' }) },
  { additionalProperties: false },
);

const manifest = defineFilter({
  kind: 'acme.stamp',
  apiVersion: API_VERSION,
  description: 'Stamps a header.',
  configSchema: Schema,
  create: (config: Readonly<Static<typeof Schema>>): HttpFilter => ({
    encode(ctx) {
      ctx.response.headers[config.header] = config.value;
    },
  }),
});

t.test('the manifest is frozen, typed as a filter, and passes the loader check unchanged', async (t) => {
  const typed: PluginManifest<Static<typeof Schema>, HttpFilter> = manifest;
  t.ok(Object.isFrozen(typed));
  t.equal(typed.type, 'filter');
  t.equal(typed.configSchema, Schema, 'the schema object itself, not a copy');
  const { manifest: checked, problems } = checkManifest(typed, '/p/acme');
  t.same(problems, []);
  t.equal(checked, typed);
});

t.test('create receives the validated, defaulted config', async (t) => {
  const { config, issues } = validatePluginConfig<Static<typeof Schema>>({ manifest }, { value: 'v1' });
  t.same(issues, []);
  const filter = await manifest.create(config, stubFactoryContext({ kind: manifest.kind }));
  const ctx = testContext();
  await filter.encode?.(ctx);
  t.equal(ctx.response.headers['x-stamp'], 'v1');
});

t.test('terminal is carried through', async (t) => {
  const terminal = defineFilter({ ...manifest, terminal: true });
  t.equal(terminal.terminal, true);
  t.same(checkManifest(terminal, '/p/acme').problems, []);
});
