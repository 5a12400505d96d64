// Config schema of dgp.adapter.store.memory: the in-process store (one gateway process; counters are not shared with
// other instances or with the workers of `dgp start --workers N`).
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
  },
  { additionalProperties: false, description: 'dgp.adapter.store.memory: an in-process store for one gateway process.' },
);

export type MemoryStoreConfig = Static<typeof MemoryStoreConfigSchema>;
