// LiteLLM's field names ↔ the store's: budgets in USD floats (exactly nano-USD inside), limits as tpm_limit /
// rpm_limit, expiry as `duration` in and an ISO `expires` out. The key's `token` is its id, never its hash.
import { isBudgetDuration, type BudgetedRecord, type KeyRecord } from '../../../../core/llm/index.js';
import { keysAdminInvalid } from '../errors.js';
import { usdOrNull, usdToNanos } from './money.js';

type Body = Record<string, unknown>;
const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000, mo: 30 * 86_400_000, y: 365 * 86_400_000 };

/** LiteLLM's `duration` ("30s", "30m", "24h", "30d", "1mo"): ms from now; null = never expires. */
export function expiryOf(duration: unknown, now: number): number | null {
  if (duration === null || duration === undefined) return null;
  const m = /^(\d+)(s|m|h|d|w|mo|y)$/.exec(String(duration).trim());
  if (!m) throw keysAdminInvalid(`duration: "${String(duration)}" is not like 30s, 30m, 24h, 30d, 1w or 1mo`);
  return now + Number(m[1]) * UNIT_MS[m[2]!]!;
}

/**
 * The store fields of a LiteLLM body (only the fields present; null clears). `current`: the key being updated, whose
 * per-model rates of the kind the body does not name are kept (LiteLLM keeps model_rpm_limit and model_tpm_limit apart).
 */
export function fromLiteLlm(body: Body, now: number, current?: KeyRecord): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const copy = (from: string, to: string) => {
    if (body[from] !== undefined) out[to] = body[from];
  };
  copy('models', 'models');
  copy('team_id', 'team_id');
  copy('user_id', 'user_id');
  copy('blocked', 'blocked');
  copy('tpm_limit', 'tpm');
  copy('rpm_limit', 'rpm');
  copy('max_parallel_requests', 'max_parallel_requests');
  copy('allowed_routes', 'routes');
  for (const alias of ['key_alias', 'team_alias', 'user_alias']) copy(alias, 'alias');
  if (body.metadata !== undefined) out.metadata = body.metadata ?? {};
  if (out.blocked === null) out.blocked = false;
  if (body.max_budget !== undefined) out.max_budget_nanos = body.max_budget === null ? null : usdToNanos(body.max_budget as number, 'max_budget');
  if (body.soft_budget !== undefined) out.soft_budget_nanos = body.soft_budget === null ? null : usdToNanos(body.soft_budget as number, 'soft_budget');
  if (body.budget_duration !== undefined) {
    if (body.budget_duration !== null && !isBudgetDuration(body.budget_duration)) {
      throw keysAdminInvalid(`budget_duration: "${String(body.budget_duration)}" is not one of 1h, 1d, 7d, 30d, 1mo`);
    }
    out.budget_duration = body.budget_duration;
  }
  if (body.duration !== undefined) out.expires_at = expiryOf(body.duration, now);
  if (body.model_rpm_limit !== undefined || body.model_tpm_limit !== undefined) out.model_limits = modelLimitsOf(body, current?.model_limits ?? {});
  return out;
}

/** LiteLLM's model_rpm_limit / model_tpm_limit ({model: n}) as the store's model_limits ({model: {rpm, tpm}}). */
function modelLimitsOf(body: Body, base: KeyRecord['model_limits']): KeyRecord['model_limits'] {
  const out: KeyRecord['model_limits'] = {};
  for (const kind of ['rpm', 'tpm'] as const) {
    const given = body[`model_${kind}_limit`] as Record<string, number> | null | undefined;
    const entries = given === undefined ? Object.entries(base).flatMap(([m, l]) => (l[kind] === null ? [] : [[m, l[kind]] as const])) : Object.entries(given ?? {});
    for (const [model, n] of entries) (out[model] ??= { rpm: null, tpm: null })[kind] = n;
  }
  return out;
}

const pick = (r: KeyRecord, kind: 'rpm' | 'tpm'): Record<string, number> =>
  Object.fromEntries(Object.entries(r.model_limits).flatMap(([m, l]) => (l[kind] === null || l[kind] === undefined ? [] : [[m, l[kind]]])));

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function limitsOf(r: BudgetedRecord, spendNanos: number): Body {
  return {
    models: r.models,
    max_budget: usdOrNull(r.max_budget_nanos),
    soft_budget: usdOrNull(r.soft_budget_nanos),
    budget_duration: r.budget_duration,
    spend: usdOrNull(spendNanos),
    tpm_limit: r.tpm,
    rpm_limit: r.rpm,
    max_parallel_requests: r.max_parallel_requests,
    metadata: r.metadata,
    blocked: r.blocked,
    created_at: iso(r.created_at),
    updated_at: iso(r.updated_at),
  };
}

/** A key in LiteLLM's shape (what /key/info puts under `info`): no plaintext, no hash. */
export function keyToLiteLlm(r: KeyRecord, spendNanos: number): Body {
  return {
    token: r.id,
    key_name: r.display_prefix,
    key_alias: r.alias,
    team_id: r.team_id,
    user_id: r.user_id,
    expires: iso(r.expires_at),
    allowed_routes: r.routes,
    model_rpm_limit: pick(r, 'rpm'),
    model_tpm_limit: pick(r, 'tpm'),
    ...limitsOf(r, spendNanos),
  };
}

export function teamToLiteLlm(r: BudgetedRecord, spendNanos: number): Body {
  return { team_id: r.id, team_alias: r.alias, ...limitsOf(r, spendNanos) };
}

export function userToLiteLlm(r: BudgetedRecord, spendNanos: number): Body {
  return { user_id: r.id, user_alias: r.alias, team_id: r.team_id, ...limitsOf(r, spendNanos) };
}
