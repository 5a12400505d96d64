// STUB — to be implemented by the config work: JSON Schema checking with defaults and hints, shared by the bootstrap
// schema and every plugin's configSchema.
import type { JsonSchema } from '../plugin-api.js';

export interface SchemaIssue {
  /** JSON pointer into the checked value, e.g. "/retry/max_attempts". */
  pointer: string;
  message: string;
  /** e.g. 'did you mean "RoundRobin"?' or 'allowed: a, b, c'. */
  hint?: string;
}

/** Checks `value` against any plain JSON Schema (TypeBox-built or hand-written), applying `default`s into a clone. */
export function checkAgainstSchema(_schema: JsonSchema, value: unknown): { value: unknown; issues: SchemaIssue[] } {
  return { value, issues: [] };
}
