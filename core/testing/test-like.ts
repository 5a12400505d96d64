// The assertions the conformance suite makes, as a minimal interface: tap's `t` satisfies it as it is, and
// `recordingTest()` implements it for any other runner (node:test, vitest, a plain script) by recording each check.
import { isDeepStrictEqual } from 'node:util';

export interface TestLike {
  test(name: string, fn: (t: TestLike) => unknown): Promise<unknown>;
  ok(value: unknown, message?: string, extra?: unknown): unknown;
  equal(found: unknown, wanted: unknown, message?: string): unknown;
  not(found: unknown, notWanted: unknown, message?: string): unknown;
  same(found: unknown, wanted: unknown, message?: string): unknown;
  has(found: unknown, pattern: unknown, message?: string): unknown;
  type(found: unknown, type: string, message?: string): unknown;
  doesNotThrow(fn: () => unknown, message?: string): unknown;
  pass(message?: string): unknown;
}

/**
 * What runConformance accepts: any object with these methods (tap's `t` as it is, whatever its version and plugins);
 * they are called as TestLike describes.
 */
export type AnyTest = { [K in keyof TestLike]: (...args: never[]) => unknown };

export interface CheckResult {
  /** Subtest path and assertion message, e.g. "acme.limits > valid config #0 passes". */
  name: string;
  ok: boolean;
  /** For a failed check: what was found and what was wanted. */
  details?: unknown;
}

/** A TapTest that records every check instead of reporting it to a runner. */
export function recordingTest(results: CheckResult[], path: string[] = []): TestLike {
  const record = (ok: boolean, message: string | undefined, details?: unknown): boolean => {
    results.push({ name: [...path, message ?? '(unnamed check)'].join(' > '), ok, ...(ok ? {} : { details }) });
    return ok;
  };
  return {
    async test(name, fn) {
      await fn(recordingTest(results, [...path, name]));
    },
    ok: (value, message, extra) => record(Boolean(value), message, extra),
    equal: (found, wanted, message) => record(Object.is(found, wanted), message, { found, wanted }),
    not: (found, notWanted, message) => record(!Object.is(found, notWanted), message, { found, notWanted }),
    same: (found, wanted, message) => record(isDeepStrictEqual(normal(found), normal(wanted)), message, { found, wanted }),
    has: (found, pattern, message) => record(hasShape(found, pattern), message, { found, pattern }),
    type: (found, type, message) => record(typeof found === type || (type === 'object' && found !== null && typeof found === 'object'), message, { found: typeof found, wanted: type }),
    doesNotThrow(fn, message) {
      try {
        fn();
        return record(true, message);
      } catch (err) {
        return record(false, message, { threw: (err as Error).message });
      }
    },
    pass: (message) => record(true, message),
  };
}

/** Frozen and unfrozen copies compare equal, as in tap's `same`. */
function normal(v: unknown): unknown {
  return v === undefined ? v : JSON.parse(JSON.stringify(v)) as unknown;
}

/** Every key of `pattern` is present in `found` with an equal value (recursively), as in tap's `has`. */
function hasShape(found: unknown, pattern: unknown): boolean {
  if (pattern === null || typeof pattern !== 'object') return Object.is(found, pattern);
  if (found === null || typeof found !== 'object') return false;
  return Object.entries(pattern).every(([k, v]) => hasShape((found as Record<string, unknown>)[k], v));
}
