// Manifest of dgp.filter.llm.keys: client identity by virtual key (static or in a key store) or JWT, before the cache
// and the proxy. The only file the plugin loader imports.
import { resolve } from 'node:path';
import { API_VERSION, defineFilter, type FactoryContext } from '../../../core/index.js';
import { KEY_STORE_SHAPE } from '../../../core/llm/index.js';
import { mountKeyAdmin, type KeyChange } from './admin/index.js';
import { keysAdminNeedsStore } from './errors.js';
import { KeysFilter } from './filter.js';
import { createJwtVerifier } from './jwt.js';
import { KeyResolver } from './resolver.js';
import { KeysConfigSchema, type KeysConfig } from './schema.js';
import { createSpend } from './spend/setup.js';

export const KIND = 'dgp.filter.llm.keys';

/** The schema defaults fill `jwt` in always: JWTs are on once a key source is set. */
const jwtOf = (config: Readonly<KeysConfig>): KeysConfig['jwt'] => {
  const j = config.jwt;
  return j !== undefined && (j.jwks_file !== undefined || j.jwks_url !== undefined || (j.hs256_secret ?? '') !== '') ? j : undefined;
};

/** One plain sentence saying who may call, for the startup log. */
export function modeSentence(config: Readonly<KeysConfig>, resolver: KeyResolver, fctx: FactoryContext): string {
  const sources = [`${resolver.staticKeys} static key${resolver.staticKeys === 1 ? '' : 's'}`];
  if (config.store !== undefined) sources.push(`key store "${config.store}"`);
  if (jwtOf(config) !== undefined) sources.push('JWTs');
  const accepted = `accepted: ${sources.join(', ')}`;
  if (config.require_key === 'always') return `Keys: every request needs a client key (${accepted}); client keys are never sent upstream.`;
  const keyed = fctx.clusters.clusterNames().filter((c) => fctx.clusters.endpoints(c).some((ep) => (ep.llmMeta?.api_key ?? '') !== ''));
  if (keyed.length === 0) {
    return "Keys: no cluster has a server-side API key, so requests pass through with the client's own credentials.";
  }
  const none = resolver.staticKeys === 0 && config.store === undefined && jwtOf(config) === undefined;
  return `Keys: requests to ${keyed.join(', ')} use the gateway's API key and need a client key (${accepted})${none ? ', so they are all refused until a key is configured' : ''}.`;
}

export default defineFilter({
  kind: KIND,
  apiVersion: API_VERSION,
  description: 'Client identity for LLM routes: virtual keys (static or in a key store) and JWTs; 401/403 in the client API shape.',
  configSchema: KeysConfigSchema,
  create: async (config: Readonly<KeysConfig>, fctx: FactoryContext) => {
    const store = config.store === undefined ? undefined : fctx.adapter(config.store, KEY_STORE_SHAPE).keyStore;
    const j = jwtOf(config);
    const jwt = j === undefined ? undefined : await createJwtVerifier(j.jwks_file === undefined ? j : { ...j, jwks_file: resolve(fctx.configDir, j.jwks_file) });
    const resolver = new KeyResolver(config, store, jwt);
    const spend = createSpend(config, fctx, store, (id) => resolver.staticById(id));
    if (config.master_key !== '') {
      if (store === undefined) throw keysAdminNeedsStore('master_key is set but no store: the key API keeps its keys in a key store; set store: <adapter id> (dgp.adapter.store.sqlite or .postgres)');
      // Another --workers process drops its cached copy when the cache TTL ends; this one at once.
      const onChange = (c: KeyChange): void => (c.type === 'key' ? resolver.invalidate(c.hash) : spend.subjects.invalidate(c.type, c.id));
      mountKeyAdmin(fctx.admin, { store, masterKey: config.master_key, log: fctx.log, onChange, budgets: spend.report });
    }
    fctx.log.info(modeSentence(config, resolver, fctx));
    const rateLimited = config.keys.filter((k) => k.rpm !== undefined || k.tpm !== undefined || k.max_parallel_requests !== undefined);
    if (rateLimited.length > 0) {
      fctx.log.warn({ keys: rateLimited.map((k) => k.alias ?? k.id ?? '(no alias)') }, 'Keys: rpm, tpm and max_parallel_requests are carried on the principal for a rate-limit filter, which this version does not have: they limit nothing yet (budgets are enforced).');
    }
    return new KeysFilter(config, resolver, fctx.clusters, spend);
  },
});
