// Config schema of dgp.adapter.store.redis: where the Redis server is, how to log in, the key prefix, and the timeouts
// that make an unreachable Redis fail each call quickly instead of hanging. README.md documents every field.
import Type, { type Static } from 'typebox';

// Go durations ("500ms", "2s"); converted by parseDuration in create().
const GO_DURATION = '^(([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(ns|us|µs|ms|s|m|h))+$';
const Duration = (description: string, def: string) =>
  Type.Union([Type.String({ pattern: GO_DURATION }), Type.Number({ exclusiveMinimum: 0 })], {
    description: `${description} A Go-style duration ("500ms", "2s") or a number of milliseconds; must be > 0.`,
    default: def,
  });

export const RedisStoreConfigSchema = Type.Object(
  {
    url: Type.String({
      default: '',
      pattern: '^$|^rediss?://',
      description: 'redis://[user:password@]host:port[/db] (rediss:// for TLS). When set, it wins over host, port, username, password and db.',
    }),
    host: Type.String({ minLength: 1, default: '127.0.0.1', description: 'Redis host name or IP address.' }),
    port: Type.Integer({ minimum: 1, maximum: 65535, default: 6379, description: 'Redis TCP port.' }),
    username: Type.String({ default: '', description: 'ACL user (Redis 6+); empty = the default user.' }),
    password: Type.String({ default: '', description: 'Password (AUTH); empty = none. Write ${REDIS_PASSWORD} to keep it out of the file.' }),
    db: Type.Integer({ minimum: 0, default: 0, description: 'Logical database number (SELECT).' }),
    key_prefix: Type.String({ default: 'dgp:', description: 'Prepended to every key, so several gateways (or other apps) can share one Redis.' }),
    connect_timeout: Duration('How long one connection attempt may take.', '2s'),
    command_timeout: Duration('How long one call may wait for its answer before it fails with DGP_ERR_STORE_UNAVAILABLE.', '1s'),
    reconnect_min: Duration('First wait before reconnecting after the connection broke; doubles on each failed attempt.', '100ms'),
    reconnect_max: Duration('Longest wait between reconnection attempts (they never stop).', '5s'),
  },
  { additionalProperties: false, description: 'dgp.adapter.store.redis: a store in Redis, shared by every gateway instance that points at it.' },
);

export type RedisStoreConfig = Static<typeof RedisStoreConfigSchema>;
