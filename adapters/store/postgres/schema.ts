// Config schema of dgp.adapter.store.postgres: the shared key store (keys, teams, users, spend ledger) for several
// gateway processes or machines.
import Type, { type Static } from 'typebox';

export const PostgresStoreConfigSchema = Type.Object(
  {
    url: Type.String({
      pattern: '^postgres(ql)?://',
      description: 'postgres://user:password@host:5432/db, or postgres://user@/db?host=/run/postgresql for a unix socket. Write ${DGP_PG_URL} to keep the password out of the file.',
    }),
    max_connections: Type.Integer({
      minimum: 1,
      default: 10,
      description: "Pool size per gateway process; keep instances × max_connections below the server's max_connections.",
    }),
    connect_timeout_ms: Type.Integer({
      minimum: 100,
      default: 5000,
      description: 'How long opening a connection may take before the call fails with DGP_ERR_KEYSTORE_UNAVAILABLE, ms.',
    }),
    retry_interval_ms: Type.Integer({
      minimum: 100,
      default: 2000,
      description: 'While the server is unreachable, calls fail at once and the connection is retried at most this often, ms.',
    }),
  },
  { additionalProperties: false, description: 'dgp.adapter.store.postgres: the key store on PostgreSQL, shared by every gateway instance that points at it.' },
);

export type PostgresStoreConfig = Static<typeof PostgresStoreConfigSchema>;
