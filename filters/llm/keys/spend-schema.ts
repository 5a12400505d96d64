// Config schema of the keys filter's cost and budget blocks: where counters live, how a request's worst case is
// estimated, what an unpriced model does, the end-user budget, the spend ledger's batching and the cost header.
// docs/keys-and-budgets.md documents every field.
import Type, { type Static } from 'typebox';
import { BUDGET_DURATIONS } from '../../../core/llm/index.js';

const Usd = (description: string) => Type.Optional(Type.Number({ minimum: 0, description }));
export const Duration = Type.Union(BUDGET_DURATIONS.map((d) => Type.Literal(d)), { description: 'Budget window: 1h, 1d, 7d, 30d or 1mo, calendar-aligned in UTC.' });

export const BudgetLimitSchema = Type.Object(
  {
    max_budget_usd: Type.Number({ minimum: 0, description: 'Spend limit per window, USD.' }),
    budget_duration: Type.Optional(Duration),
    soft_budget_usd: Usd('Spend at which an alert fires once per window, USD.'),
  },
  { additionalProperties: false, description: 'A budget: a limit per window (no budget_duration: a lifetime budget).' },
);

export const OnExhaustSchema = Type.Object(
  {
    fallback_model: Type.String({ minLength: 1, description: 'Serve the request with this model instead of refusing it when a budget cannot admit it.' }),
  },
  { additionalProperties: false, description: 'What a key does when a budget is spent.' },
);

export const BudgetsConfigSchema = Type.Object(
  {
    counter_store: Type.Optional(
      Type.String({
        minLength: 1,
        description: 'Id of a dgp.adapter.store.memory or .redis adapter holding budget counters and holds (Redis for several gateway processes). Absent: an in-process memory store.',
      }),
    ),
    output_reserve_tokens: Type.Integer({ minimum: 0, default: 4096, description: 'Output tokens held for a request that sets no max_tokens (capped by the model limit).' }),
    unknown_price: Type.Union([Type.Literal('block'), Type.Literal('allow')], {
      default: 'block',
      description: 'A model without a price, for a request with a budget: block answers 403; allow admits it at cost 0 (counted in dgp_llm_cost_unknown_total).',
    }),
    fail_mode: Type.Union([Type.Literal('closed'), Type.Literal('open')], {
      default: 'closed',
      description: 'Counter store or spend ledger unreachable: closed answers 503; open admits without a hold.',
    }),
    lease_ms: Type.Integer({ minimum: 1000, default: 900_000, description: 'How long a hold counts without a settle (a crashed gateway\'s holds end with it); longer than the longest request, ms.' }),
    zero_cost_exempt: Type.Boolean({ default: true, description: 'A request whose worst case costs 0 (a free local model) passes even when a budget is spent.' }),
    end_user: Type.Optional(BudgetLimitSchema),
    soft_budget_webhook: Type.Optional(Type.String({ pattern: '^https?://', description: 'URL POSTed a JSON body once per budget and window when spend reaches soft_budget_usd.' })),
  },
  { additionalProperties: false, default: {}, description: 'Budget enforcement: hold the worst case before the upstream, settle to the actual cost after.' },
);

export const LedgerConfigSchema = Type.Object(
  {
    max_batch: Type.Integer({ minimum: 1, default: 500, description: 'Rows per database write.' }),
    interval_ms: Type.Integer({ minimum: 10, default: 1000, description: 'Longest a row waits before its batch is written, ms.' }),
    max_queue: Type.Integer({ minimum: 1, default: 50_000, description: 'Rows held at most while the database is slow; beyond it new rows are dropped and counted.' }),
  },
  { additionalProperties: false, default: {}, description: 'The spend ledger (in the key store): one row per request, written behind the request in batches.' },
);

export const SpendConfigFields = {
  budgets: BudgetsConfigSchema,
  ledger: LedgerConfigSchema,
  prices: Type.Optional(Type.String({ minLength: 1, description: 'Price override file (YAML or JSON, relative to the config directory); wins over the bundled genai-prices book (docs/pricing.md).' })),
  cost_header: Type.Boolean({ default: false, description: 'Add x-dgp-cost-usd to unary answers (streams: omitted, the cost is known only after the body).' }),
};

export type BudgetsConfig = Static<typeof BudgetsConfigSchema>;
export type BudgetLimitConfig = Static<typeof BudgetLimitSchema>;
