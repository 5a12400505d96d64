// Schema of static_resources.adapters[] (e.g. dgp.adapter.llmregistrycenter, dgp.adapter.store.redis). The adapter's
// own config is left free; the registry checks it against the plugin's configSchema.
import Type from 'typebox';
import { FreeObject, Str, StrictObject } from './common.js';

const O = Type.Optional;

export const AdapterSchema = StrictObject(
  {
    id: O(Type.Union([Type.String(), Type.Number()], {
      description: 'Adapter id, shown in logs; filters name a store adapter (dgp.adapter.store.*) by it.',
      default: '',
      examples: ['llm-nacos', 'shared'],
    })),
    name: Str({ description: 'Kind of the adapter plugin.', examples: ['dgp.adapter.llmregistrycenter'], minLength: 1 }),
    enabled: O(Type.Union([Type.Boolean(), Type.Literal('true'), Type.Literal('false')], {
      description: 'Whether the adapter runs.',
      default: true,
      'x-pixiu': 'Pixiu writes the string "true"; booleans and the strings "true"/"false" are accepted.',
    })),
    config: O(FreeObject({ description: "The adapter's config, checked against the plugin's configSchema." })),
  },
  { description: 'One adapter: endpoint discovery (dgp.adapter.llmregistrycenter), stores (dgp.adapter.store.memory, dgp.adapter.store.redis) and similar.' },
);
