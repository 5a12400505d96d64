// Building blocks for the bootstrap schema: strict objects, Go-style durations, free-form plugin config objects.
// Annotations: `x-dgp-duration` marks a duration (checked and converted to ms by the loader), `x-pixiu` holds the
// Pixiu compatibility note shown in docs/configuration.md.
import Type, { type TProperties, type TSchema } from 'typebox';

export interface FieldNotes {
  description: string;
  examples?: unknown[];
  /** How Pixiu treats this field, when it differs or matters. */
  pixiu?: string;
}

function annotations(n: FieldNotes): Record<string, unknown> {
  return { description: n.description, ...(n.examples ? { examples: n.examples } : {}), ...(n.pixiu ? { 'x-pixiu': n.pixiu } : {}) };
}

/** An object that rejects unknown fields (house rule), so typos surface as "unknown field ... did you mean". */
export function StrictObject<P extends TProperties>(props: P, notes: FieldNotes & { default?: unknown; 'x-dgp-keep-absent'?: boolean }) {
  const { default: d, 'x-dgp-keep-absent': keep } = notes;
  return Type.Object(props, { additionalProperties: false, ...annotations(notes), ...(d !== undefined ? { default: d } : {}), ...(keep ? { 'x-dgp-keep-absent': true } : {}) });
}

/** A Go duration string ("300ms", "1m30s") or a number of milliseconds; normalised to ms after validation. */
export function Duration(notes: FieldNotes & { default?: string | number }) {
  return Type.Union([Type.String(), Type.Number({ minimum: 0 })], {
    'x-dgp-duration': true,
    ...annotations({ ...notes, examples: notes.examples ?? ['5s'] }),
    ...(notes.default !== undefined ? { default: notes.default } : {}),
  });
}

/** A map the bootstrap schema does not look into (plugin configs are checked by the registry). */
export function FreeObject(notes: FieldNotes) {
  return Type.Record(Type.String(), Type.Unknown(), { ...annotations(notes), default: {} });
}

export function Str(notes: FieldNotes & { default?: string; minLength?: number }) {
  const { default: d, minLength } = notes;
  return Type.String({ ...annotations(notes), ...(d !== undefined ? { default: d } : {}), ...(minLength ? { minLength } : {}) });
}

export function Int(notes: FieldNotes & { default?: number; minimum?: number; maximum?: number }) {
  const { default: d, minimum, maximum } = notes;
  return Type.Integer({ ...annotations(notes), ...(d !== undefined ? { default: d } : {}), ...(minimum !== undefined ? { minimum } : {}), ...(maximum !== undefined ? { maximum } : {}) });
}

export function Bool(notes: FieldNotes & { default?: boolean }) {
  return Type.Boolean({ ...annotations(notes), ...(notes.default !== undefined ? { default: notes.default } : {}) });
}

export function OneOf<const V extends string>(values: readonly V[], notes: FieldNotes & { default?: V }) {
  return Type.Union(values.map((v) => Type.Literal(v)), { ...annotations(notes), ...(notes.default !== undefined ? { default: notes.default } : {}) });
}

export function List<T extends TSchema>(items: T, notes: FieldNotes & { default?: unknown[] }) {
  return Type.Array(items, { ...annotations(notes), default: notes.default ?? [] });
}

export const Port = (notes: FieldNotes & { default?: number }) => Int({ ...notes, minimum: 0, maximum: 65535 });
