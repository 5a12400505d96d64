// Config schema of dgp.adapter.store.sqlite: the embedded key store (keys, teams, users, spend ledger) in one file.
import Type, { type Static } from 'typebox';

export const SqliteStoreConfigSchema = Type.Object(
  {
    path: Type.String({
      minLength: 1,
      default: './data/dgp.db',
      description: 'Database file, relative to the config directory; its folder is created. `:memory:` for a private in-memory database (tests).',
    }),
    busy_timeout_ms: Type.Integer({
      minimum: 0,
      default: 5000,
      description: "How long a write waits for another process's lock on the file, ms.",
    }),
  },
  { additionalProperties: false, description: 'dgp.adapter.store.sqlite: the embedded key store (one gateway process), WAL journal.' },
);

export type SqliteStoreConfig = Static<typeof SqliteStoreConfigSchema>;
