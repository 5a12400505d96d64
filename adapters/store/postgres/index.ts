// Manifest of dgp.adapter.store.postgres: the key store on PostgreSQL, shared by every gateway instance, that
// dgp.filter.llm.keys references by the adapter's id (`store: <id>`). The only file the plugin loader imports.
import { API_VERSION, type FactoryContext, type JsonSchema, type PluginManifest } from '../../../core/index.js';
import type { KeyStoreAdapterInstance } from '../../../core/llm/index.js';
import { PostgresStoreConfigSchema, type PostgresStoreConfig } from './schema.js';
import { POSTGRES_STORE_KIND, postgresKeyStoreService } from './service.js';

const manifest: PluginManifest<PostgresStoreConfig, KeyStoreAdapterInstance> = Object.freeze({
  kind: POSTGRES_STORE_KIND,
  type: 'adapter' as const,
  apiVersion: API_VERSION,
  description: 'Key store on PostgreSQL (pg): virtual keys, teams, users and the spend ledger shared by many gateway instances.',
  configSchema: PostgresStoreConfigSchema as unknown as JsonSchema,
  create: (config: Readonly<PostgresStoreConfig>, ctx: FactoryContext): KeyStoreAdapterInstance => {
    // The host owns the pool (a service): an unchanged config keeps its connections across reloads.
    const deferred = ctx.services.get(postgresKeyStoreService, config);
    return {
      keyStore: deferred.keyStore,
      // Bounded by connect_timeout_ms and never rejects: an unreachable server shows in /ready, calls fail fast.
      start: () => deferred.whenReady(),
      stop() {},
    };
  },
});

export default manifest;
