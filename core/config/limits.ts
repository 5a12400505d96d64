// Size limits checked before any expensive work on a config (YAML composition, schema checks, "did you mean"): a
// hostile or broken file is refused in milliseconds with DGP_ERR_CONFIG_TOO_LARGE, never with engine text such as
// "Maximum call stack size exceeded". A real conf.yaml is a few KiB, nests under 15 levels and has short strings.
import { error, type Finding } from './problems.js';

export const CONFIG_LIMITS = {
  /** Characters in the file. */
  maxChars: 4 * 1024 * 1024,
  /** Nesting of mappings and sequences (flow brackets and block structure alike). */
  maxDepth: 64,
  /** Characters in one string value (after ${ENV} expansion). */
  maxString: 64 * 1024,
  /** Characters in one mapping key. */
  maxKey: 1024,
} as const;

const FIX = 'keep conf.yaml under 4 MiB, nesting under 64 levels, strings under 64 KiB and keys under 1 KiB; put large data in a file a plugin reads';

export const tooLarge = (pointer: string, message: string): Finding => error('DGP_ERR_CONFIG_TOO_LARGE', pointer, message, FIX);

/** Thrown out of the YAML builder when a limit is hit; becomes one finding. */
export class ConfigLimitError extends Error {
  constructor(readonly finding: Finding) {
    super(finding.message);
  }
}

/** The text-level checks, linear and allocation-free: file size, and flow-bracket depth (what the YAML parser recurses on). */
export function checkText(text: string): Finding | undefined {
  if (text.length > CONFIG_LIMITS.maxChars) {
    return tooLarge('', `the config is ${text.length} characters long; the limit is ${CONFIG_LIMITS.maxChars} (4 MiB)`);
  }
  let depth = 0;
  let quote = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (quote !== 0) {
      if (c === quote) quote = 0;
      else if (c === 10) quote = 0; // a quoted scalar may span lines, but a stray quote must not hide the rest
      continue;
    }
    if (c === 34 || c === 39) quote = c;
    else if (c === 91 || c === 123) {
      if (++depth > CONFIG_LIMITS.maxDepth) return tooLarge('', `the config nests deeper than ${CONFIG_LIMITS.maxDepth} levels of [ ] / { }`);
    } else if ((c === 93 || c === 125) && depth > 0) depth--;
  }
  return undefined;
}

/** True for the engine's own overflow, which must never reach a user as a config message. */
export function isStackOverflow(err: unknown): boolean {
  return err instanceof RangeError && /call stack/i.test(err.message);
}
