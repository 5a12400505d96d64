// Request bodies of the LiteLLM-compatible aliases, in LiteLLM's field names (proxy/_types.py GenerateKeyRequest,
// UpdateKeyRequest, NewTeamRequest, NewUserRequest). Fields LiteLLM has and this gateway does not implement are
// listed in UNSUPPORTED_* so a caller learns they were not applied instead of losing them silently.
import Type from 'typebox';

const Opt = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Optional(Type.Union([t, Type.Null()]));
const Str = Type.String({ minLength: 1 });
const Int = Type.Integer({ minimum: 0 });
const Usd = Type.Number({ minimum: 0 });

const limits = {
  models: Type.Optional(Type.Array(Str)),
  max_budget: Opt(Usd),
  soft_budget: Opt(Usd),
  budget_duration: Opt(Str),
  metadata: Opt(Type.Record(Type.String(), Type.Unknown())),
  tpm_limit: Opt(Int),
  rpm_limit: Opt(Int),
  max_parallel_requests: Opt(Int),
  blocked: Opt(Type.Boolean()),
};

const keyFields = {
  ...limits,
  key_alias: Opt(Type.String({ maxLength: 200 })),
  team_id: Opt(Str),
  user_id: Opt(Str),
  duration: Opt(Str),
  allowed_routes: Type.Optional(Type.Array(Str)),
  model_rpm_limit: Opt(Type.Record(Type.String({ minLength: 1 }), Int)),
  model_tpm_limit: Opt(Type.Record(Type.String({ minLength: 1 }), Int)),
};

export const GenerateKeyBody = Type.Object(keyFields, { additionalProperties: false });
export const UpdateKeyBody = Type.Object({ key: Str, ...keyFields }, { additionalProperties: false });
export const RegenerateKeyBody = Type.Object({ key: Str }, { additionalProperties: false });
export const KeyRefBody = Type.Object({ key: Str }, { additionalProperties: false });
export const TeamRefBody = Type.Object({ team_id: Str }, { additionalProperties: false });
export const DeleteKeysBody = Type.Object({ keys: Type.Array(Str, { minItems: 1 }) }, { additionalProperties: false });
export const NewTeamBody = Type.Object({ ...limits, team_id: Opt(Str), team_alias: Opt(Type.String({ maxLength: 200 })) }, { additionalProperties: false });
export const NewUserBody = Type.Object(
  { ...limits, user_id: Opt(Str), user_alias: Opt(Type.String({ maxLength: 200 })), team_id: Opt(Str), auto_create_key: Type.Optional(Type.Boolean()), duration: Opt(Str) },
  { additionalProperties: false },
);

const COMMON_UNSUPPORTED = ['model_max_budget', 'model_rpm_limit', 'model_tpm_limit', 'tags', 'organization_id', 'budget_id', 'guardrails', 'object_permission', 'prompts'];
const KEY_ONLY = new Set(['model_rpm_limit', 'model_tpm_limit']);
export const UNSUPPORTED_KEY_FIELDS = [
  ...COMMON_UNSUPPORTED.filter((f) => !KEY_ONLY.has(f)),
  'key', 'key_name', 'spend', 'aliases', 'config', 'permissions', 'allowed_cache_controls', 'send_invite_email', 'enforced_params',
  'key_type', 'auto_rotate', 'rotation_interval', 'allowed_passthrough_routes', 'allowed_vector_store_indexes', 'rpm_limit_type', 'tpm_limit_type',
];
export const UNSUPPORTED_REGENERATE_FIELDS = [...UNSUPPORTED_KEY_FIELDS.filter((f) => f !== 'key'), 'new_master_key', 'new_key', ...Object.keys(keyFields)];
export const UNSUPPORTED_DELETE_FIELDS = ['key_aliases'];
export const UNSUPPORTED_TEAM_FIELDS = [...COMMON_UNSUPPORTED, 'members', 'members_with_roles', 'admins', 'team_member_permissions', 'model_aliases'];
export const UNSUPPORTED_USER_FIELDS = [...COMMON_UNSUPPORTED, 'user_email', 'user_role', 'teams', 'send_invite_email', 'spend', 'aliases', 'config', 'permissions'];
