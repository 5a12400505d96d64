// The conformance suite from `dgp-gateway/testing`, with this project's fixtures (test/conformance/fixtures/<kind>.json).
import { fileURLToPath } from 'node:url';
import { readConformanceFixture as readFixture, type ConformanceFixture } from '../../core/testing/conformance.js';

export { runConformance, conformanceReport, type ConformanceOptions, type ConformanceFixture, type InvalidConfigCase } from '../../core/testing/conformance.js';
import type tap from 'tap';

/** tap's test object, as the project's helpers type it. */
export type TapTest = Parameters<Parameters<typeof tap.test>[0]>[0];

const FIXTURES = fileURLToPath(new URL('../conformance/fixtures/', import.meta.url));

/** Reads test/conformance/fixtures/<kind>.json; undefined when there is none. */
export function readConformanceFixture(kind: string): Promise<ConformanceFixture | undefined> {
  return readFixture(FIXTURES, kind);
}
