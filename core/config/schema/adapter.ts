// Schema of static_resources.adapters[] (e.g. dgp.adapter.llmregistrycenter). The adapter's own config is left free;
// the registry checks it against the plugin's configSchema.
import Type from 'typebox';
import { FreeObject, Str, StrictObject } from './common.js';

const O = Type.Optional;

export const AdapterSchema = StrictObject(
  {
    id: O(Type.Union([Type.String(), Type.Number()], { description: 'Adapter id, shown in logs.', default: '', examples: ['llm-nacos'] })),
    name: Str({ description: 'Kind of the adapter plugin.', examples: ['dgp.adapter.llmregistrycenter'], minLength: 1 }),
    enabled: O(Type.Union([Type.Boolean(), Type.Literal('true'), Type.Literal('false')], {
      description: 'Whether the adapter runs.',
      default: true,
      'x-pixiu': 'Pixiu writes the string "true"; booleans and the strings "true"/"false" are accepted.',
    })),
    config: O(FreeObject({ description: "The adapter's config, checked against the plugin's configSchema." })),
  },
  { description: 'One adapter (endpoint discovery and similar background plugins).' },
);
