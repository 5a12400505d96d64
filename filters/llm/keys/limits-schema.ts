// Config schema fragments of the limits a key, a team, a user or a JWT budget tier carries: budgets (USD per window,
// per model), rates (rpm, tpm, in-flight requests, per model pattern) and the admission priority. One definition so
// static keys, static teams / users and budget tiers take the same field names as the admin API.
import Type, { type Static } from 'typebox';
import { BudgetLimitSchema, Duration, OnExhaustSchema } from './spend-schema.js';

const Limit = (description: string) => Type.Optional(Type.Integer({ minimum: 0, description }));
const Usd = (description: string) => Type.Optional(Type.Number({ minimum: 0, description }));

export const ModelRateSchema = Type.Object(
  {
    rpm: Limit('Requests per minute for the models the pattern matches.'),
    tpm: Limit('Tokens per minute for the models the pattern matches.'),
  },
  { additionalProperties: false, minProperties: 1, description: 'Rates for one model pattern.' },
);

export const BudgetFields = {
  max_budget_usd: Usd('Spend limit per budget_duration window, USD: a request whose worst case does not fit is refused (429).'),
  budget_duration: Type.Optional(Duration),
  soft_budget_usd: Usd('Spend at which an alert fires once per window, USD.'),
  model_budgets: Type.Record(Type.String({ minLength: 1 }), BudgetLimitSchema, { default: {}, description: 'Budgets for one model, by the model the client asks for.' }),
};

export const RateFields = {
  rpm: Limit('Requests per minute (read by the rate-limit filter).'),
  tpm: Limit('Tokens per minute (read by the rate-limit filter).'),
  max_parallel_requests: Limit('Requests in flight at once (read by the rate-limit filter).'),
};

/** What a key and a budget tier carry beyond budgets and rates. */
export const CallerFields = {
  model_limits: Type.Record(Type.String({ minLength: 1 }), ModelRateSchema, {
    default: {},
    description: 'Rates per model pattern (exact or * glob): {"gpt-4o*": {rpm: 10}} counts every matching model together (read by the rate-limit filter).',
  }),
  on_exhaust: Type.Optional(OnExhaustSchema),
  priority: Type.Optional(Type.Integer({ minimum: -1e6, maximum: 1e6, description: "Admission priority of the requests when the gateway has to queue them (higher first; docs/admission.md)." })),
};

export const StaticGroupSchema = Type.Object(
  {
    id: Type.String({ minLength: 1, description: "The team's (or user's) id, as keys name it in team / user." }),
    alias: Type.Optional(Type.String({ minLength: 1, description: 'Display name.' })),
    blocked: Type.Boolean({ default: false, description: 'Refuse every key of the team (or user) with 401, without touching the keys.' }),
    ...BudgetFields,
    ...RateFields,
  },
  { additionalProperties: false, description: 'A team or user kept in conf.yaml; wins over a store record with the same id.' },
);

export const BudgetTierSchema = Type.Object(
  { ...BudgetFields, ...RateFields, ...CallerFields },
  { additionalProperties: false, description: "Limits a JWT's budget tier claim selects; each token subject gets its own budget and rates at these limits." },
);

export type StaticGroupConfig = Static<typeof StaticGroupSchema>;
export type BudgetTierConfig = Static<typeof BudgetTierSchema>;
