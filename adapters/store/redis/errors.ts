// This adapter's coded errors (documented in docs/errors.md, generated from core/errors.ts).
import { defineErrorCode } from '../../../core/index.js';

/** Redis unreachable, not connected yet, or no answer within command_timeout: the caller decides (fail open or closed). */
export const storeUnavailable = defineErrorCode('DGP_ERR_STORE_UNAVAILABLE', 503);
