// The rules compiled once per config, and the cells one request is counted in: each rule that counts the request
// (its scope has a value, its model match fits) gives one rate cell per period of its requests and tokens, and one
// lease cell for its concurrency; the key's own rpm / tpm / max_parallel_requests make one more rule.
import { createHash } from 'node:crypto';
import type { Principal } from '../../../core/llm/index.js';
import { invalidRules } from './errors.js';
import type { RateLimitConfig, RuleConfig, TokenCount } from './schema.js';

export type Dimension = 'requests' | 'tokens' | 'concurrency';

const PERIODS = { second: 1_000, minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;
export type Period = keyof typeof PERIODS;

export interface RateSpec {
  readonly dimension: 'requests' | 'tokens';
  readonly period: Period;
  readonly periodMs: number;
  readonly limit: number;
}

export interface CompiledRule {
  readonly id: string;
  readonly scope: string;
  /** For `header:<name>`: the lower-case header name. */
  readonly header: string | undefined;
  readonly matches: ((model: string) => boolean) | undefined;
  readonly rates: readonly RateSpec[];
  readonly count: TokenCount;
  readonly concurrency: number | undefined;
}

/** What the scopes read from a request. */
export interface RequestFacts {
  principal: Readonly<Principal> | undefined;
  model: string | undefined;
  route: string;
  ip: string | undefined;
  header(name: string): string | undefined;
}

/** One cell of a request: a rule's rate for one period, or its concurrency. */
export interface Cell {
  readonly rule: CompiledRule;
  readonly dimension: Dimension;
  /** Store key (without the store's own prefix). */
  readonly key: string;
  readonly limit: number;
  /** The limit as header text, built with a cached cell. */
  readonly limitText?: string;
  /** Rate cells only. */
  readonly spec?: RateSpec;
}

const escapeRegex = (s: string): string => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&');

/** Exact names and `*` globs; one regular expression for all the globs. */
export function compileMatch(patterns: readonly string[]): (model: string) => boolean {
  const exact = new Set(patterns.filter((p) => !p.includes('*')));
  const globs = patterns.filter((p) => p.includes('*'));
  if (globs.length === 0) return (m) => exact.has(m);
  const re = new RegExp(`^(?:${globs.map((g) => g.split('*').map(escapeRegex).join('.*')).join('|')})$`, 's');
  return (m) => exact.has(m) || re.test(m);
}

function ratesOf(r: Pick<RuleConfig, 'requests' | 'tokens'>): RateSpec[] {
  const out: RateSpec[] = [];
  for (const [dimension, limits] of [['requests', r.requests], ['tokens', r.tokens]] as const) {
    if (limits === undefined) continue;
    for (const period of Object.keys(PERIODS) as Period[]) {
      const limit = (limits as Record<string, unknown>)[`per_${period}`];
      if (typeof limit === 'number') out.push({ dimension, period, periodMs: PERIODS[period], limit });
    }
  }
  return out;
}

export function compileRules(config: Readonly<RateLimitConfig>): CompiledRule[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  const rules = config.rules.map((r, i) => {
    const patterns = r.match === undefined ? undefined : Array.isArray(r.match) ? r.match : [r.match];
    const header = r.scope.startsWith('header:') ? r.scope.slice('header:'.length).toLowerCase() : undefined;
    // Header names are case-insensitive: header:X-Tenant and header:x-tenant are one counter.
    const id = r.id ?? `${header === undefined ? r.scope : `header:${header}`}${patterns ? `[${patterns.join(',')}]` : ''}`;
    if (r.requests === undefined && r.tokens === undefined && r.concurrency === undefined) problems.push(`rules[${i}] (${id}) sets none of requests, tokens, concurrency`);
    if (r.tokens !== undefined && ratesOf({ tokens: r.tokens }).length === 0) problems.push(`rules[${i}].tokens (${id}) sets no per_minute, per_hour or per_day`);
    if (seen.has(id)) problems.push(`rules[${i}]: two rules have the id "${id}" (give one an id of its own)`);
    seen.add(id);
    return { id, scope: header === undefined ? r.scope : 'header', header, matches: patterns && compileMatch(patterns), rates: ratesOf(r), count: r.tokens?.count ?? 'total', concurrency: r.concurrency };
  });
  if (problems.length > 0) throw invalidRules(problems.join('; '));
  return rules;
}

export const KEY_LIMITS_RULE = 'key-limits';
export const TEAM_LIMITS_RULE = 'team-limits';
export const USER_LIMITS_RULE = 'user-limits';

function perMinute(rpm: number | null | undefined, tpm: number | null | undefined): RateSpec[] {
  const rates: RateSpec[] = [];
  if (rpm !== null && rpm !== undefined) rates.push({ dimension: 'requests', period: 'minute', periodMs: PERIODS.minute, limit: rpm });
  if (tpm !== null && tpm !== undefined) rates.push({ dimension: 'tokens', period: 'minute', periodMs: PERIODS.minute, limit: tpm });
  return rates;
}

/** The key's own limits as a rule; undefined when it sets none. Limits of 0 refuse every request. */
export function keyLimitsRule(p: Readonly<Principal>): CompiledRule | undefined {
  const { rpm, tpm, max_parallel_requests: parallel } = p.limits;
  if (rpm === null && tpm === null && parallel === null) return undefined;
  return { id: KEY_LIMITS_RULE, scope: 'key', header: undefined, matches: undefined, rates: perMinute(rpm, tpm), count: 'total', concurrency: parallel ?? undefined };
}

/** The key's per-model limits, compiled once per limits object (a key's principal keeps it across requests). */
const modelRules = new WeakMap<object, CompiledRule[]>();

function keyModelRules(models: NonNullable<Principal['limits']['model_limits']>): CompiledRule[] {
  let rules = modelRules.get(models);
  if (rules === undefined) {
    rules = Object.entries(models).flatMap(([pattern, l]) => {
      const rates = perMinute(l.rpm, l.tpm);
      // Each pattern counts every model it matches together, per key: "gpt-4o*": {rpm: 10} is 10 for all gpt-4o models.
      return rates.length === 0 ? [] : [{ id: `key-model[${pattern}]`, scope: 'key', header: undefined, matches: compileMatch([pattern]), rates, count: 'total' as const, concurrency: undefined }];
    });
    modelRules.set(models, rules);
  }
  return rules;
}

function groupRule(id: string, scope: 'team' | 'user', l: Principal['team_limits']): CompiledRule[] {
  if (l === undefined) return [];
  return [{ id, scope, header: undefined, matches: undefined, rates: perMinute(l.rpm, l.tpm), count: 'total', concurrency: l.max_parallel_requests ?? undefined }];
}

/**
 * The limits the principal carries (dgp.filter.llm.keys): the key's rpm / tpm / max_parallel_requests, its per-model
 * rates, and its team's and user's own rates (one counter per team or user, shared by all their keys).
 */
export function principalRules(p: Readonly<Principal>): CompiledRule[] {
  const own = keyLimitsRule(p);
  const out = own === undefined ? [] : [own];
  if (p.limits.model_limits !== undefined) out.push(...keyModelRules(p.limits.model_limits));
  out.push(...groupRule(TEAM_LIMITS_RULE, 'team', p.team_limits), ...groupRule(USER_LIMITS_RULE, 'user', p.user_limits));
  return out;
}

function subjectOf(rule: CompiledRule, f: RequestFacts): string | undefined {
  switch (rule.scope) {
    case 'key':
      return f.principal?.key_id;
    case 'team':
      return f.principal?.team ?? undefined;
    case 'user':
      return f.principal?.user ?? undefined;
    case 'end_user':
      return f.principal?.end_user ?? undefined;
    case 'model':
      return f.model;
    case 'route':
      return f.route;
    case 'ip':
      return f.ip;
    default:
      return f.header(rule.header!);
  }
}

/** A value as a key part: short printable values as they are, others as a hash (header values are the client's). */
const keyPart = (v: string): string => (v.length <= 128 && /^[\x21-\x7e]*$/.test(v) ? v : `#${createHash('sha256').update(v).digest('base64url').slice(0, 32)}`);

/** One rule's cells for one subject (its value of the rule's scope). */
function ruleCells(rule: CompiledRule, subject: string, hashTag: string): Cell[] {
  const base = `rl:{${hashTag}}:${rule.id}:`;
  const who = keyPart(subject);
  const cells: Cell[] = [];
  for (const spec of rule.rates) cells.push({ rule, dimension: spec.dimension, key: `${base}${spec.dimension}:${spec.period}:${who}`, limit: spec.limit, limitText: String(spec.limit), spec });
  if (rule.concurrency !== undefined) cells.push({ rule, dimension: 'concurrency', key: `${base}concurrency:${who}`, limit: rule.concurrency });
  return cells;
}

/**
 * The cells of the configured rules by subject, built once per subject rather than per request (their keys are
 * strings joined from the rule and the subject, hashed when the subject is long). Bounded per rule: a full map starts
 * over. The key's own rules are new objects per request and are not cached.
 */
export class CellCache {
  readonly #byRule = new Map<CompiledRule, Map<string, readonly Cell[]>>();

  constructor(
    rules: readonly CompiledRule[],
    private readonly hashTag: string,
    private readonly maxSubjects = 10_000,
  ) {
    for (const r of rules) this.#byRule.set(r, new Map());
  }

  get(rule: CompiledRule, subject: string): readonly Cell[] {
    const subjects = this.#byRule.get(rule);
    if (subjects === undefined) return ruleCells(rule, subject, this.hashTag);
    let cells = subjects.get(subject);
    if (cells === undefined) {
      if (subjects.size >= this.maxSubjects) subjects.clear();
      subjects.set(subject, (cells = ruleCells(rule, subject, this.hashTag)));
    }
    return cells;
  }
}

/** The cells of every rule that counts this request, in rule order. */
export function cellsOf(rules: readonly CompiledRule[], f: RequestFacts, cache: CellCache): Cell[] {
  const cells: Cell[] = [];
  for (const rule of rules) {
    if (rule.matches !== undefined && (f.model === undefined || !rule.matches(f.model))) continue;
    const subject = subjectOf(rule, f);
    if (subject === undefined || subject === '') continue;
    for (const c of cache.get(rule, subject)) cells.push(c);
  }
  return cells;
}
