// The SQLite key store as a host-owned service: one open database per file, kept across reloads while the config is
// unchanged, closed when no generation uses it any more (or on shutdown, after the spend ledger was flushed).
import { defineService } from '../../../core/index.js';
import type { KeyStore } from '../../../core/llm/index.js';
import { openSqliteStore } from './sqlite-store.js';

export const SQLITE_STORE_KIND = 'dgp.adapter.store.sqlite';

/** The config with `path` already resolved against the config directory (the service identity). */
export interface SqliteServiceConfig {
  path: string;
  busy_timeout_ms: number;
}

interface SqliteHandle {
  readonly store: KeyStore;
  readonly path: string;
  closed: boolean;
}

export const sqliteKeyStoreService = defineService<SqliteHandle, SqliteServiceConfig>({
  name: SQLITE_STORE_KIND,
  // Synchronous by nature: better-sqlite3 opens and migrates a local file without waiting on a network.
  create: (config) => ({ store: openSqliteStore({ path: config.path, busyTimeoutMs: config.busy_timeout_ms }), path: config.path, closed: false }),
  close: async (h) => {
    h.closed = true;
    await h.store.close();
  },
  readiness: (h) => (h.closed ? { ready: false, reason: `${h.path} is closed` } : { ready: true, path: h.path }),
  instance: (config) => config.path,
});
