// The operator's price override file (YAML or JSON): self-hosted models, negotiated prices, zero-cost local models.
// docs/pricing.md documents every field.
import Type, { type Static } from 'typebox';

const Mtok = (what: string) =>
  Type.Number({ minimum: 0, description: `USD per million ${what}; 0 for a free model. Decimals are taken exactly as written.` });

export const PriceOverrideEntry = Type.Object(
  {
    provider: Type.String({
      minLength: 1,
      description: 'The llm_meta.provider label the entry applies to (openai, anthropic, vllm, ollama, …), or * for any provider.',
    }),
    model: Type.String({
      minLength: 1,
      description: 'The model as the upstream reports it: an exact name or a glob where * matches any characters. Case-insensitive.',
    }),
    input_mtok: Mtok('prompt tokens outside the prompt cache'),
    output_mtok: Mtok('output tokens, reasoning included'),
    cache_read_mtok: Type.Optional(Mtok('prompt tokens read from the prompt cache. Default: input_mtok')),
    cache_write_mtok: Type.Optional(Mtok('prompt tokens written to the prompt cache. Default: input_mtok')),
    context_window: Type.Optional(Type.Integer({ minimum: 1, description: 'Most tokens (prompt + output) per request. Default: the bundled book\'s value, if any.' })),
    max_output: Type.Optional(Type.Integer({ minimum: 1, description: 'Most output tokens per request.' })),
  },
  { additionalProperties: false, description: 'One price entry; it replaces the bundled price of every model it matches.' },
);

export const PriceOverrides = Type.Object(
  {
    prices: Type.Array(PriceOverrideEntry, {
      description: 'Entries are tried in file order; an exact model name beats any glob, and the first matching glob wins.',
    }),
  },
  { additionalProperties: false, description: 'Price overrides, winning over the bundled price book.' },
);

export type PriceOverrideEntry = Static<typeof PriceOverrideEntry>;
export type PriceOverrides = Static<typeof PriceOverrides>;
