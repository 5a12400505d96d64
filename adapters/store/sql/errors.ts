// Error codes of the SQL key stores (SQLite and PostgreSQL share them).
import { defineErrorCode } from '../../../core/index.js';

/** A create whose id or key hash already exists. */
export const storeConflict = defineErrorCode('DGP_ERR_KEYSTORE_CONFLICT', 409);
/** A value the schema cannot hold: a non-integer budget, an unknown or read-only field in an update. */
export const storeInvalid = defineErrorCode('DGP_ERR_KEYSTORE_INVALID', 400);
/** The database file or server cannot be opened or migrated. */
export const storeUnavailable = defineErrorCode('DGP_ERR_KEYSTORE_UNAVAILABLE', 503);
