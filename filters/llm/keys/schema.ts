// Config schema of dgp.filter.llm.keys: where keys live (static list, key store), how the client key is required,
// the lookup cache and JWT identity. The KeysConfig type comes from it; README.md documents every field.
import Type, { type Static } from 'typebox';
import { JwtConfigSchema } from './jwt-schema.js';
import { BudgetFields, BudgetTierSchema, CallerFields, RateFields, StaticGroupSchema } from './limits-schema.js';
import { SpendConfigFields } from './spend-schema.js';

const Names = (description: string) => Type.Array(Type.String({ minLength: 1 }), { default: [], description });

export const StaticKeySchema = Type.Object(
  {
    key: Type.String({ description: 'The key clients send (use ${ENV}). An entry whose key is empty is skipped, so ${TEAM_A_KEY:-} may stay unset.' }),
    id: Type.Optional(Type.String({ minLength: 1, description: 'Key id in logs, budgets and the ledger. Default: alias, else static-<8 hex of the hash>.' })),
    alias: Type.Optional(Type.String({ minLength: 1, description: 'Display name (access log key_alias).' })),
    team: Type.Optional(Type.String({ minLength: 1, description: 'Team id the key belongs to.' })),
    user: Type.Optional(Type.String({ minLength: 1, description: 'User id the key belongs to.' })),
    models: Names('Allowed models: exact names and * globs ("claude-*"); empty or "*" allows every model.'),
    routes: Names('Allowed route ids (a route\'s id, or <listener>#<index>); empty allows every route.'),
    metadata: Type.Record(Type.String(), Type.Unknown(), { default: {}, description: 'Free-form data passed on with the principal.' }),
    ...BudgetFields,
    ...RateFields,
    ...CallerFields,
    expires_at: Type.Optional(Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}(T\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?(Z|[+-]\\d{2}:\\d{2}))?$', description: 'ISO 8601 instant after which the key is refused (401).' })),
    blocked: Type.Boolean({ default: false, description: 'Refuse the key (401) without removing it.' }),
  },
  { additionalProperties: false, description: 'A virtual key kept in conf.yaml (GitOps); hot-reloaded with the config.' },
);

export const KeysConfigSchema = Type.Object(
  {
    store: Type.Optional(
      Type.String({ minLength: 1, description: 'Id of a key-store adapter (dgp.adapter.store.sqlite or .postgres) under static_resources.adapters. Absent: static keys only.' }),
    ),
    master_key: Type.String({ default: '', description: 'Master key of the admin key API (use ${DGP_MASTER_KEY:-}); empty = key API off.' }),
    require_key: Type.Union([Type.Literal('always'), Type.Literal('when_endpoint_key')], {
      default: 'always',
      description:
        "always: every request needs a key. when_endpoint_key: only requests whose cluster has an endpoint with llm_meta.api_key; others pass untouched with the client's own credentials.",
    }),
    allow_keyless_endpoints: Type.Boolean({
      default: false,
      description: 'Send requests to endpoints without llm_meta.api_key with no credential (local models); by default they are refused with 500.',
    }),
    end_user_header: Type.String({
      minLength: 1,
      default: 'x-dgp-end-user',
      description: "Header naming the caller's end user when the body has none (OpenAI user, Anthropic metadata.user_id).",
    }),
    cache: Type.Object(
      {
        ttl_ms: Type.Integer({ minimum: 0, default: 5000, description: 'How long a key found in the store is trusted before it is looked up again, ms.' }),
        negative_ttl_ms: Type.Integer({ minimum: 0, default: 1000, description: 'How long an unknown key is remembered as unknown, ms.' }),
        max_entries: Type.Integer({ minimum: 1, default: 10000, description: 'Most keys cached; the least recently used go first.' }),
      },
      { additionalProperties: false, default: {}, description: 'In-memory cache of key-store lookups.' },
    ),
    keys: Type.Array(StaticKeySchema, { default: [], description: 'Static virtual keys.' }),
    teams: Type.Array(StaticGroupSchema, { default: [], description: 'Static teams: blocked flag, budgets and rates shared by every key whose team is the id.' }),
    users: Type.Array(StaticGroupSchema, { default: [], description: 'Static users: blocked flag, budgets and rates shared by every key whose user is the id.' }),
    budget_tiers: Type.Record(Type.String({ minLength: 1 }), BudgetTierSchema, {
      default: {},
      description: "Limits by a JWT's budget tier (jwt.claims.budget_tier): a token naming a tier not listed here is refused (401).",
    }),
    jwt: Type.Optional(JwtConfigSchema),
    ...SpendConfigFields,
  },
  { additionalProperties: false, description: 'dgp.filter.llm.keys: client identity by virtual key or JWT.' },
);

export type KeysConfig = Static<typeof KeysConfigSchema>;
export type StaticKeyConfig = Static<typeof StaticKeySchema>;
