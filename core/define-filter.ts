// defineFilter: builds a typed, frozen filter manifest, so a TypeScript plugin states its config type once (from its
// TypeBox schema) and needs no cast of the schema to JsonSchema. Plain-JS plugins may still export the object itself.
import type { FactoryContext } from './factory-api.js';
import type { HttpFilter, JsonSchema, MaybePromise, PluginManifest } from './plugin-api.js';

/** What a filter author writes; `type` is always 'filter' and is set by defineFilter. */
export interface FilterDefinition<C, I extends HttpFilter> {
  readonly kind: string;
  readonly apiVersion: number;
  readonly description: string;
  readonly version?: string;
  /** The filter answers requests itself (nothing may follow it in a chain); see PluginManifest.terminal. */
  readonly terminal?: boolean;
  /** A TypeBox schema or any plain JSON Schema object (TypeBox schemas are plain objects at run time). */
  readonly configSchema: object;
  /** Checks the schema cannot express, run at validation before create; see PluginManifest.check. */
  check?(config: Readonly<C>): ReadonlyArray<{ pointer: string; message: string; hint?: string }>;
  create(config: Readonly<C>, ctx: FactoryContext): MaybePromise<I>;
}

/**
 * Returns the frozen manifest of a filter plugin. `C` (the config `create` receives) is inferred from `create`'s
 * parameter, e.g. `create: (config: Readonly<Static<typeof MySchema>>, fctx) => new MyFilter(config, fctx)`.
 */
export function defineFilter<C = unknown, I extends HttpFilter = HttpFilter>(definition: FilterDefinition<C, I>): PluginManifest<C, I> {
  return Object.freeze({ ...definition, type: 'filter' as const, configSchema: definition.configSchema as JsonSchema });
}
