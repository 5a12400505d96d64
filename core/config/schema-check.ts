// JSON Schema checking with defaults and hints, shared by the bootstrap schema and every plugin's configSchema.
// Works on any plain JSON Schema object (TypeBox-built or hand-written); each schema object is compiled once.
import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { Settings } from 'typebox/system';
import type { JsonSchema } from '../plugin-api.js';
import { applyDefaults, cloneData } from './schema-defaults.js';
import { humanizeErrors, type RawSchemaError } from './schema-messages.js';

export interface SchemaIssue {
  /** JSON pointer into the checked value, e.g. "/retry/max_attempts". */
  pointer: string;
  message: string;
  /** e.g. 'did you mean "RoundRobin"?' or 'allowed: a, b, c'. */
  hint?: string;
}

interface Validator {
  Check(value: unknown): boolean;
  Errors(value: unknown): Iterable<RawSchemaError>;
}

const compiled = new WeakMap<object, Validator>();

function validatorFor(schema: JsonSchema): Validator {
  let v = compiled.get(schema);
  if (!v) {
    // Compile accepts plain JSON Schema objects as well as TypeBox ones; its static typing wants the TypeBox shape.
    v = Compile(schema as Parameters<typeof Compile>[0]) as unknown as Validator;
    compiled.set(schema, v);
  }
  return v;
}

/** Checks `value` against any plain JSON Schema (TypeBox-built or hand-written), applying `default`s into a clone. */
export function checkAgainstSchema(schemaIn: JsonSchema | TSchema, value: unknown): { value: unknown; issues: SchemaIssue[] } {
  // TypeBox schemas are plain JSON Schema objects at run time; their interfaces only lack an index signature.
  const schema = schemaIn as JsonSchema;
  const withDefaults = applyDefaults(schema, cloneData(value), schema);
  const validator = validatorFor(schema);
  if (validator.Check(withDefaults)) return { value: withDefaults, issues: [] };
  return { value: withDefaults, issues: humanizeErrors(schema, allErrors(validator, withDefaults), withDefaults) };
}

/** Reporting every problem at once needs more than TypeBox's process-wide default of 8 errors; restored at once. */
const MAX_ERRORS = 1000;

function allErrors(validator: Validator, value: unknown): RawSchemaError[] {
  const previous = Settings.Get().maxErrors;
  Settings.Set({ maxErrors: MAX_ERRORS });
  try {
    return [...validator.Errors(value)];
  } finally {
    Settings.Set({ maxErrors: previous });
  }
}
