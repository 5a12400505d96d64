// Bodies of the native key API (/admin/v1/keys, /teams, /users). Money either as integer nano-USD (`*_nanos`) or as
// USD (`*_usd`, converted exactly); times as integer ms since the epoch.
import Type, { type Static } from 'typebox';
import { BUDGET_DURATIONS } from '../../../../core/llm/index.js';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T, description: string) =>
  Type.Optional(Type.Union([t, Type.Null()], { description }));
const Duration = Type.Union(BUDGET_DURATIONS.map((d) => Type.Literal(d)));
const Count = Type.Integer({ minimum: 0 });
const Nanos = Type.Integer({ minimum: 0 });
const Usd = Type.Number({ minimum: 0 });

const budgeted = {
  alias: Nullable(Type.String({ maxLength: 200 }), 'Display name.'),
  models: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: 'Allowed models (exact or `*` globs); empty = all.' })),
  metadata: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'Free-form JSON object.' })),
  blocked: Type.Optional(Type.Boolean({ description: 'A blocked record answers 401/403 to every request.' })),
  max_budget_nanos: Nullable(Nanos, 'Budget per window, nano-USD.'),
  max_budget_usd: Nullable(Usd, 'Budget per window, USD (alternative to max_budget_nanos).'),
  budget_duration: Nullable(Duration, 'Budget window: 1h, 1d, 7d, 30d or 1mo; null = lifetime.'),
  soft_budget_nanos: Nullable(Nanos, 'Warning threshold, nano-USD.'),
  soft_budget_usd: Nullable(Usd, 'Warning threshold, USD.'),
  rpm: Nullable(Count, 'Requests per minute.'),
  tpm: Nullable(Count, 'Tokens per minute.'),
  max_parallel_requests: Nullable(Count, 'Concurrent requests.'),
  model_budgets: Type.Optional(
    Type.Record(Type.String(), Type.Object({ max_budget_nanos: Nanos, budget_duration: Type.Union([Duration, Type.Null()]) }, { additionalProperties: false }), {
      description: 'Per-model budgets.',
    }),
  ),
};

export const NativeKeyBody = Type.Object(
  {
    ...budgeted,
    team_id: Nullable(Type.String({ minLength: 1 }), 'Team the key belongs to.'),
    user_id: Nullable(Type.String({ minLength: 1 }), 'User the key belongs to.'),
    routes: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: 'Allowed route names; empty = all.' })),
    expires_at: Nullable(Type.Integer({ minimum: 0 }), 'Expiry, ms since the epoch.'),
    priority: Nullable(Type.Integer({ minimum: -1e6, maximum: 1e6 }), "Admission priority of the key's requests when the gateway queues them (higher first)."),
    model_limits: Type.Optional(
      Type.Record(
        Type.String({ minLength: 1 }),
        Type.Object({ rpm: Type.Optional(Type.Union([Count, Type.Null()])), tpm: Type.Optional(Type.Union([Count, Type.Null()])) }, { additionalProperties: false }),
        { description: 'Requests / tokens per minute per model pattern within the key (`{"gpt-4o*": {"rpm": 10}}`).' },
      ),
    ),
  },
  { additionalProperties: false },
);
export type NativeKeyBody = Static<typeof NativeKeyBody>;

export const NativeTeamBody = Type.Object(
  { ...budgeted, id: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Id; a UUID when absent.' })) },
  { additionalProperties: false },
);
export const NativeUserBody = Type.Object(
  { ...NativeTeamBody.properties, team_id: Nullable(Type.String({ minLength: 1 }), 'Team of the user.') },
  { additionalProperties: false },
);
export type NativeBudgetedBody = Static<typeof NativeUserBody>;

/** Rotate takes no fields. */
export const EmptyBody = Type.Object({}, { additionalProperties: false });
