// This adapter's failures use the store contract's own host code (core/errors.ts), shared by every store kind, so a
// filter handles an unreachable store the same way whichever adapter backs it.
import { DgpError, type DgpErrorOptions } from '../../../core/index.js';

/** Redis unreachable, not connected yet, or no answer within command_timeout: the caller decides (fail open or closed). */
export const storeUnavailable = (message: string, opts: Omit<DgpErrorOptions, 'status'> = {}): DgpError =>
  new DgpError('DGP_ERR_STORE_UNAVAILABLE', message, opts);
