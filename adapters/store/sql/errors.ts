// Error codes of the SQL key stores (SQLite and PostgreSQL share them).
import { defineErrorCode } from '../../../core/index.js';

const owner = 'dgp.adapter.store.sqlite, dgp.adapter.store.postgres';

/** A create whose id or key hash already exists. */
export const storeConflict = defineErrorCode('DGP_ERR_KEYSTORE_CONFLICT', 409, {
  owner: owner,
  summary: 'A key, team or user with this id (or a key with this hash) already exists.',
  fix: 'Pick another id, or update the existing record.',
});
/** A value the schema cannot hold: a non-integer budget, an unknown or read-only field in an update. */
export const storeInvalid = defineErrorCode('DGP_ERR_KEYSTORE_INVALID', 400, {
  owner: owner,
  summary: 'A value the key store cannot hold: a non-integer budget or time, an unknown or read-only field in an update, a bad page size or scope.',
  fix: 'Budgets are integer nano-USD, times integer ms; hash and prefix change through rotate only.',
});
/** The database file or server cannot be opened or migrated. */
export const storeUnavailable = defineErrorCode('DGP_ERR_KEYSTORE_UNAVAILABLE', 503, {
  owner: owner,
  summary: 'The SQLite file or the PostgreSQL server could not be opened or migrated.',
  fix: 'Check the path (directory writable) or the PostgreSQL URL and that the server is up.',
});
