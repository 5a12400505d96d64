// Turns the validated config into ioredis options: fail fast (no offline queue, a command timeout), reconnect forever
// with capped doubling, and an address label without credentials for logs and /ready.
import type { RedisOptions } from 'ioredis';
import { parseDuration } from '../../../core/index.js';
import type { RedisStoreConfig } from './schema.js';

export interface RedisConnection {
  options: RedisOptions;
  /** host:port/db, never the password. */
  address: string;
  connectTimeoutMs: number;
}

export function redisConnection(config: Readonly<RedisStoreConfig>): RedisConnection {
  const fromUrl = config.url ? new URL(config.url) : undefined;
  const host = fromUrl ? fromUrl.hostname.replace(/^\[(.*)\]$/, '$1') : config.host;
  const port = fromUrl?.port ? Number(fromUrl.port) : fromUrl ? 6379 : config.port;
  const db = fromUrl && fromUrl.pathname.length > 1 ? Number(fromUrl.pathname.slice(1)) : fromUrl ? 0 : config.db;
  const username = fromUrl ? decodeURIComponent(fromUrl.username) : config.username;
  const password = fromUrl ? decodeURIComponent(fromUrl.password) : config.password;
  const connectTimeoutMs = parseDuration(config.connect_timeout, 'connect_timeout');
  const min = parseDuration(config.reconnect_min, 'reconnect_min');
  const max = parseDuration(config.reconnect_max, 'reconnect_max');
  if (!Number.isInteger(db) || db < 0) throw new TypeError(`url: the path must be a database number, got ${fromUrl?.pathname}`);
  const options: RedisOptions = {
    host,
    port,
    db,
    ...(username ? { username } : {}),
    ...(password ? { password } : {}),
    ...(fromUrl?.protocol === 'rediss:' ? { tls: { servername: host } } : {}),
    keyPrefix: config.key_prefix,
    connectTimeout: connectTimeoutMs,
    commandTimeout: parseDuration(config.command_timeout, 'command_timeout'),
    // A call while disconnected fails at once (the caller decides) instead of waiting in a queue for a reconnect.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: (times) => Math.min(min * 2 ** Math.min(times - 1, 20), max),
    lazyConnect: true,
  };
  return { options, address: `${host.includes(':') ? `[${host}]` : host}:${port}/${db}`, connectTimeoutMs };
}
