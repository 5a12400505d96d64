// Who is calling: the principal a virtual key or a JWT resolves to, and the model allow-list matcher (exact names and
// `*` globs compiled once into a set and one regular expression, so a check is a Set lookup or one regex test).
import type { KeyRecord, Principal } from '../../../core/llm/index.js';
import { modelLimitsOf } from './limits.js';

export { NO_LIMITS, type Principal, type PrincipalLimits } from '../../../core/llm/index.js';

export type ModelMatcher = (model: string) => boolean;

const escapeRegex = (s: string): string => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&');

/** An allow-list check: empty list or `*` allows every model; `claude-*` any model that starts with `claude-`. */
export function compileModelMatcher(patterns: readonly string[]): ModelMatcher {
  if (patterns.length === 0 || patterns.includes('*')) return () => true;
  const exact = new Set(patterns.filter((p) => !p.includes('*')));
  const globs = patterns.filter((p) => p.includes('*'));
  if (globs.length === 0) return (model) => exact.has(model);
  const re = new RegExp(`^(?:${globs.map((g) => g.split('*').map(escapeRegex).join('.*')).join('|')})$`, 's');
  return (model) => exact.has(model) || re.test(model);
}

/** The principal of a stored key (end_user is per request, so null here). */
export function principalOfKey(key: KeyRecord): Principal {
  return {
    key_id: key.id,
    source: 'key',
    alias: key.alias,
    team: key.team_id,
    user: key.user_id,
    end_user: null,
    metadata: key.metadata,
    models: key.models,
    routes: key.routes,
    expires_at: key.expires_at,
    blocked: key.blocked,
    budget_tier: null,
    ...(key.priority === null || key.priority === undefined ? {} : { priority: key.priority }),
    limits: {
      max_budget_nanos: key.max_budget_nanos,
      budget_duration: key.budget_duration,
      soft_budget_nanos: key.soft_budget_nanos,
      rpm: key.rpm,
      tpm: key.tpm,
      max_parallel_requests: key.max_parallel_requests,
      model_budgets: key.model_budgets,
      fallback_model: fallbackModelOf(key.metadata),
      ...withModelLimits(key.model_limits),
    },
  };
}

/** Stored keys carry on_exhaust in their metadata (`{"on_exhaust": {"fallback_model": "gpt-4o-mini"}}`). */
function fallbackModelOf(metadata: Record<string, unknown>): string | null {
  const oe = metadata.on_exhaust;
  const m = typeof oe === 'object' && oe !== null ? (oe as Record<string, unknown>).fallback_model : undefined;
  return typeof m === 'string' && m !== '' ? m : null;
}

function withModelLimits(m: KeyRecord['model_limits'] | undefined): Pick<Principal['limits'], 'model_limits'> {
  const model_limits = modelLimitsOf(m);
  return model_limits === undefined ? {} : { model_limits };
}
