// Provider plugins are created by the host once per generation, at load time, with their validated defaults, and
// reach filters through FactoryContext.providers: a request never creates one, and a provider that is not a codec or
// whose defaults do not validate fails the load with a coded error.
import t from 'tap';
import { proxyConf, startGateway } from '../../helpers/gateway.js';

const conf = proxyConf({
  filters: '\n                - name: dgp.filter.llm.proxy\n                  config: {}',
  clusters: '\n    - name: chat\n      endpoints:\n        - id: e1\n          socket_address: {address: 127.0.0.1, port: 9}\n          llm_meta: {provider: counted, scheme: http}',
});

/** A third-party provider plugin: `create` counts its calls on globalThis and returns `returns` (JS source). */
const providerPlugin = (name: string, returns: string, schema = "{ type: 'object', properties: { tier: { type: 'string', default: 'basic' } }, additionalProperties: false }") => ({
  [`plugins/${name}/package.json`]: JSON.stringify({ name, type: 'module', version: '1.0.0', dgp: { entry: './index.js' } }),
  [`plugins/${name}/index.js`]: `
export default {
  kind: 'dgp.adapter.provider.${name}', type: 'provider', apiVersion: 1, description: 'test provider',
  configSchema: ${schema},
  create(config) {
    (globalThis.__dgpProviderCreates ??= []).push({ name: '${name}', config });
    return ${returns};
  },
};`,
});

const creates = (): Array<{ name: string; config: unknown }> => ((globalThis as { __dgpProviderCreates?: Array<{ name: string; config: unknown }> }).__dgpProviderCreates ??= []);

t.test('created once per generation with schema defaults, before any request', async (t) => {
  creates().length = 0;
  const codec = "{ name: 'counted', api: 'openai', settings: config, upstream: {} }";
  const g = await startGateway(`${conf}\nplugins:\n  dirs: [plugins]\n`, { files: providerPlugin('counted', codec) });
  t.teardown(() => g.close());
  t.same(creates(), [{ name: 'counted', config: { tier: 'basic' } }], 'at load, with the validated defaulted config');
  for (let i = 0; i < 3; i++) await (await fetch(`${g.url()}/v1/chat/completions`, { method: 'POST', body: '{}' })).arrayBuffer();
  t.equal(creates().length, 1, 'requests never create a provider');
  await g.gw.reload();
  t.equal(creates().length, 2, 'a new generation creates it once more');
});

t.test('a provider plugin that returns no codec fails the load, not a request', async (t) => {
  await t.rejects(
    startGateway(`${conf}\nplugins:\n  dirs: [plugins]\n`, { files: providerPlugin('counted', '{ nope: true }') }),
    { code: 'DGP_ERR_PLUGIN_CREATE', message: /dgp\.filter\.llm\.proxy.*did not return a provider codec/ },
  );
});

t.test('a provider plugin whose defaults do not validate fails the load with DGP_ERR_PLUGIN_CONFIG', async (t) => {
  const strict = "{ type: 'object', properties: { key: { type: 'string' } }, required: ['key'], additionalProperties: false }";
  const err = await startGateway(`${conf}\nplugins:\n  dirs: [plugins]\n`, { files: providerPlugin('counted', '{}', strict) }).then(
    (g) => g.close().then(() => undefined),
    (e: unknown) => e,
  );
  t.match(err, { message: /dgp\.adapter\.provider\.counted .*schema defaults do not validate/ });
  t.match(JSON.stringify(err), /DGP_ERR_PLUGIN_CONFIG/);
});
