// The PostgreSQL key store as a host-owned service: one pool per deep-equal config, kept across reloads (no
// reconnect while the config is unchanged), reported in GET /ready, ended when no generation uses it any more.
import { defineService } from '../../../core/index.js';
import { DeferredKeyStore } from './deferred-store.js';
import { openPostgresStore } from './postgres-store.js';
import type { PostgresStoreConfig } from './schema.js';

export const POSTGRES_STORE_KIND = 'dgp.adapter.store.postgres';

/** host:port/db of a URL, without credentials (the /ready detail key and log label). */
export function postgresAddress(url: string): string {
  try {
    const u = new URL(url);
    const socket = u.searchParams.get('host');
    return `${u.hostname || socket || 'localhost'}${u.port ? `:${u.port}` : ''}${u.pathname}`;
  } catch {
    return 'postgres';
  }
}

export const postgresKeyStoreService = defineService<DeferredKeyStore, Readonly<PostgresStoreConfig>>({
  name: POSTGRES_STORE_KIND,
  create: (config) =>
    new DeferredKeyStore(
      () => openPostgresStore({ url: config.url, maxConnections: config.max_connections, connectTimeoutMs: config.connect_timeout_ms }),
      `postgres ${postgresAddress(config.url)}`,
      config.retry_interval_ms,
    ),
  close: (store) => store.close(),
  readiness: (store) => store.readiness(),
  instance: (config) => postgresAddress(config.url),
});
