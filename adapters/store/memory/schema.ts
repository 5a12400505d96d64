// Config schema of dgp.adapter.store.memory: the in-process store (one gateway; with `dgp start --workers N` its data
// lives in the primary process and every worker shares it, unless `shared: false`). Defaults match the host's
// MEMORY_STORE_DEFAULTS, which filters use when they name no store.
import Type, { type Static } from 'typebox';

export const MemoryStoreConfigSchema = Type.Object(
  {
    key_prefix: Type.String({ default: '', description: 'Prepended to every key (tells apart several memory stores sharing one config).' }),
    max_keys: Type.Integer({
      minimum: 1,
      default: 100_000,
      description: 'Most keys kept; at the limit, expired keys are swept, then the keys closest to expiry (or oldest) are dropped first.',
    }),
    sweep_interval_ms: Type.Integer({ minimum: 100, default: 10_000, description: 'How often expired keys are removed in the background, ms.' }),
    shared: Type.Boolean({
      default: true,
      description:
        'With dgp start --workers N: keep the data in the primary process, so every worker sees the same counters and limits (each call is one IPC round trip). false: each worker keeps its own (limits multiplied by N). No effect in a single process.',
    }),
  },
  { additionalProperties: false, description: 'dgp.adapter.store.memory: an in-process store for one gateway (shared by its workers).' },
);

export type MemoryStoreConfig = Static<typeof MemoryStoreConfigSchema>;
