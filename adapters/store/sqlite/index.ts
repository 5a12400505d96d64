// Manifest of dgp.adapter.store.sqlite: the embedded key store that dgp.filter.llm.keys references by the adapter's
// id (`store: <id>`). The only file the plugin loader imports.
import { resolve } from 'node:path';
import { API_VERSION, type FactoryContext, type JsonSchema, type PluginManifest } from '../../../core/index.js';
import type { KeyStoreAdapterInstance } from '../../../core/llm/index.js';
import { SqliteStoreConfigSchema, type SqliteStoreConfig } from './schema.js';
import { SQLITE_STORE_KIND, sqliteKeyStoreService } from './service.js';

const manifest: PluginManifest<SqliteStoreConfig, KeyStoreAdapterInstance> = Object.freeze({
  kind: SQLITE_STORE_KIND,
  type: 'adapter' as const,
  apiVersion: API_VERSION,
  description: 'Embedded key store in one SQLite file (WAL): virtual keys, teams, users and the spend ledger for one gateway process.',
  configSchema: SqliteStoreConfigSchema as unknown as JsonSchema,
  create: (config: Readonly<SqliteStoreConfig>, ctx: FactoryContext): KeyStoreAdapterInstance => {
    const path = config.path === ':memory:' ? config.path : resolve(ctx.configDir, config.path);
    // The host owns the database (a service): start/stop only mark this generation's use of it.
    const handle = ctx.services.get(sqliteKeyStoreService, { path, busy_timeout_ms: config.busy_timeout_ms });
    return { keyStore: handle.store, start() {}, stop() {} };
  },
});

export default manifest;
