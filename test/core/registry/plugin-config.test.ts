// validatePluginConfig: defaults applied, deep-frozen result, issues at JSON pointers; pluginConfigError's shape.
import t from 'tap';
import type { PluginManifest } from '../../../core/index.js';
import { deepFreeze, pluginConfigError, validatePluginConfig } from '../../../core/registry/index.js';

const manifest: PluginManifest = {
  kind: 'acme.limits',
  apiVersion: 1,
  description: 'Limits.',
  create: () => ({}),
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      max: { type: 'integer', minimum: 1, default: 10, description: 'Max.' },
      tags: { type: 'array', items: { type: 'string' }, default: [], description: 'Tags.' },
      nested: {
        type: 'object',
        additionalProperties: false,
        default: {},
        description: 'Nested.',
        properties: { on: { type: 'boolean', default: true, description: 'On.' } },
      },
    },
  },
};

t.test('defaults are applied and the result is deep-frozen; the raw config is untouched', async (t) => {
  const raw = { tags: ['a'] };
  const { config, issues } = validatePluginConfig<{ max: number; tags: string[]; nested: { on: boolean } }>({ manifest }, raw);
  t.same(issues, []);
  t.same(config, { max: 10, tags: ['a'], nested: { on: true } });
  t.ok(Object.isFrozen(config) && Object.isFrozen(config.tags) && Object.isFrozen(config.nested));
  t.same(raw, { tags: ['a'] });
  t.notOk(Object.isFrozen(raw));
});

t.test('a missing or null config counts as {}', async (t) => {
  for (const raw of [undefined, null]) {
    t.same(validatePluginConfig({ manifest }, raw), { config: { max: 10, tags: [], nested: { on: true } }, issues: [] });
  }
});

t.test('issues point at the field; the host maps them to DGP_ERR_PLUGIN_CONFIG', async (t) => {
  const { issues } = validatePluginConfig({ manifest }, { max: 0, nested: { onn: true } });
  t.same(issues.map((i) => i.pointer).sort(), ['/max', '/nested/onn']);
  const err = pluginConfigError({ kind: 'acme.limits' }, issues, 'http_filters[2].config');
  t.equal(err.code, 'DGP_ERR_PLUGIN_CONFIG');
  t.match(err.message, /^Config of "acme\.limits" at http_filters\[2\]\.config is invalid: /);
  t.match(err.message, /\/max: /);
  t.match(err.message, /\/nested\/onn: .*did you mean "on"\?/);
  t.same(err.details, { kind: 'acme.limits', issues, at: 'http_filters[2].config' });
});

t.test('deepFreeze leaves class instances alone', async (t) => {
  const re = /x/;
  const value = deepFreeze({ re, list: [{ a: 1 }] });
  t.ok(Object.isFrozen(value.list[0]));
  t.notOk(Object.isFrozen(re));
});

t.test('pattern failures say what the field wants: x-dgp-expects with did-you-mean, durations, URLs, else the description', async (t) => {
  const m: PluginManifest = {
    ...manifest,
    configSchema: {
      type: 'object',
      additionalProperties: false,
      properties: {
        scheme: { type: 'string', pattern: '^(http|https)$', 'x-dgp-expects': 'http or https', examples: ['http', 'https'], description: 'Scheme.' },
        timeout: { type: 'string', pattern: '^(([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(ns|us|µs|ms|s|m|h))+$', description: 'Timeout.' },
        hook: { type: 'string', pattern: '^https?://', description: 'Webhook.' },
        code: { type: 'string', pattern: '^[A-Z]{3}$', description: 'A three-letter currency code.' },
      },
    },
  };
  const { issues } = validatePluginConfig({ manifest: m }, { scheme: 'htps', timeout: '5 sec', hook: 'example.com/x', code: 'usd' });
  t.same(issues, [
    { pointer: '/scheme', message: 'must be http or https (got string "htps")', hint: 'did you mean "https"?' },
    { pointer: '/timeout', message: '"5 sec" is not a duration', hint: 'write e.g. 500ms, 5s, 1m30s, or a number of milliseconds (units: ns, us, ms, s, m, h)' },
    { pointer: '/hook', message: 'must be an http:// or https:// URL (got string "example.com/x")', hint: 'write the whole URL, e.g. http://127.0.0.1:9000/path' },
    { pointer: '/code', message: 'has the wrong form (got string "usd")', hint: 'A three-letter currency code. (pattern ^[A-Z]{3}$)' },
  ]);
});
