// Turns the validated config into compiled rules: detectors for the regex checks (built-in packs, named patterns,
// deny/allow lists as patterns), budgets and timeouts in milliseconds, defaults filled in. Everything a request would
// otherwise find wrong is reported here, when the config loads.
import { parseDuration } from '../../../core/index.js';
import { PII_ENTITIES, piiDetectors, secretDetectors, type Detector } from './detect/builtins.js';
import { invalidConfig } from './errors.js';
import type { CheckConfig, CheckKind, GuardrailsConfig } from './schema.js';
import { ROLES, type Role } from './slots.js';
import type { Stage } from './metrics.js';

export type Action = 'block' | 'redact' | 'warn';

export interface Rule {
  readonly name: string;
  readonly check: CheckKind;
  readonly action: Action;
  readonly roles: ReadonlySet<Role>;
  readonly scope: 'last' | 'all';
  readonly fail: 'open' | 'closed';
  /** Regex checks. */
  readonly detectors: readonly Detector[];
  readonly budgetMs: number;
  readonly limit?: number;
  readonly webhook?: { readonly url: string; readonly headers: Readonly<Record<string, string>>; readonly timeoutMs: number };
}

const USES: Record<CheckKind, readonly (keyof CheckConfig)[]> = {
  pii: ['entities', 'custom', 'budget'],
  secrets: ['kinds'],
  deny: ['patterns', 'words', 'budget'],
  allow: ['patterns', 'words', 'budget'],
  max_tokens: ['limit'],
  webhook: ['url', 'headers', 'timeout'],
};
const COMMON: readonly (keyof CheckConfig)[] = ['check', 'name', 'action', 'roles', 'scope', 'fail'];
const ACTIONS: Record<CheckKind, readonly Action[]> = {
  pii: ['block', 'redact', 'warn'],
  secrets: ['block', 'redact', 'warn'],
  deny: ['block', 'redact', 'warn'],
  allow: ['block', 'warn'],
  max_tokens: ['block', 'warn'],
  webhook: ['block', 'redact', 'warn'],
};

/** Python / RE2 style leading inline flags, `(?i)` and friends, become JavaScript flags. */
export function userPattern(source: string): { source: string; flags: string } {
  const m = /^\(\?([ims]+)\)/.exec(source);
  const flags = m ? [...new Set(m[1]!)].join('') : '';
  return { source: m ? source.slice(m[0].length) : source, flags };
}

const escapeRegex = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A whole-word, case-insensitive alternation of words in any script. */
function wordsPattern(words: readonly string[]): { source: string; flags: string } {
  const alt = [...new Set(words)].sort((a, b) => b.length - a.length).map(escapeRegex).join('|');
  return { source: `(?<![\\p{L}\\p{N}_])(?:${alt})(?![\\p{L}\\p{N}_])`, flags: 'iu' };
}

function compileCheck(c: CheckConfig, where: string, name: string): Rule {
  const uses = new Set([...COMMON, ...USES[c.check]]);
  for (const key of Object.keys(c) as (keyof CheckConfig)[]) {
    if (!uses.has(key)) throw invalidConfig(`${where}: check ${c.check} does not use "${key}".`, { hint: `fields of ${c.check}: ${USES[c.check].join(', ') || 'none beyond the common ones'}` });
  }
  const action: Action = c.action ?? (c.check === 'pii' ? 'redact' : 'block');
  if (!ACTIONS[c.check].includes(action)) throw invalidConfig(`${where}: check ${c.check} cannot ${action}.`, { hint: `use one of ${ACTIONS[c.check].join(', ')}` });
  const detectors: Detector[] = [];
  const label = `[${c.check === 'deny' ? 'REDACTED' : name.toUpperCase()}]`;
  const add = (p: { source: string; flags: string }, entity: string, lab: string, what: string): void => {
    try {
      new RegExp(p.source, p.flags);
    } catch (err) {
      throw invalidConfig(`${where}: ${what} does not compile: ${(err as Error).message}`);
    }
    detectors.push({ entity, label: lab, pattern: p, trusted: false });
  };
  if (c.check === 'pii') {
    detectors.push(...piiDetectors(c.entities ?? (c.custom === undefined ? PII_ENTITIES : [])));
    for (const cp of c.custom ?? []) add(userPattern(cp.pattern), cp.name, cp.label ?? `[${cp.name.toUpperCase()}]`, `custom pattern ${cp.name}`);
  } else if (c.check === 'secrets') {
    detectors.push(...secretDetectors(c.kinds));
  } else if (c.check === 'deny' || c.check === 'allow') {
    if ((c.patterns?.length ?? 0) + (c.words?.length ?? 0) === 0) throw invalidConfig(`${where}: check ${c.check} needs patterns or words.`);
    (c.patterns ?? []).forEach((src, i) => add(userPattern(src), c.check, label, `pattern ${i}`));
    // Words are escaped literals: linear, so they may run on the event loop.
    if (c.words !== undefined && c.words.length > 0) detectors.push({ entity: c.check, label, pattern: wordsPattern(c.words), trusted: true });
  } else if (c.check === 'max_tokens' && c.limit === undefined) {
    throw invalidConfig(`${where}: check max_tokens needs limit.`);
  } else if (c.check === 'webhook' && c.url === undefined) {
    throw invalidConfig(`${where}: check webhook needs url.`);
  }
  return {
    name,
    check: c.check,
    action,
    roles: new Set(c.roles ?? ROLES),
    scope: c.scope ?? 'all',
    fail: c.fail ?? 'closed',
    detectors,
    budgetMs: parseDuration(c.budget ?? '250ms', `${where}.budget`),
    ...(c.limit === undefined ? {} : { limit: c.limit }),
    ...(c.check === 'webhook' ? { webhook: { url: c.url!, headers: c.headers ?? {}, timeoutMs: parseDuration(c.timeout ?? '3s', `${where}.timeout`) } } : {}),
  };
}

export function compileRules(list: readonly CheckConfig[], stage: Stage): Rule[] {
  const seen = new Map<string, number>();
  const rules = list.map((c, i) => {
    const where = `${stage}[${i}]`;
    let name = c.name;
    if (name === undefined) {
      const n = (seen.get(c.check) ?? 0) + 1;
      seen.set(c.check, n);
      name = n === 1 ? c.check : `${c.check}#${n}`;
    }
    const rule = compileCheck(c, where, name);
    if (stage === 'output' && (c.roles !== undefined || c.scope !== undefined)) throw invalidConfig(`${where}: roles and scope apply to input checks only.`);
    if (stage === 'output' && (c.check === 'max_tokens' || c.check === 'allow')) throw invalidConfig(`${where}: check ${c.check} applies to input only.`);
    if (stage === 'output' && c.check === 'webhook' && rule.action === 'redact') throw invalidConfig(`${where}: an output webhook cannot redact (its verdict blocks or warns).`);
    return rule;
  });
  const names = new Set<string>();
  for (const r of rules) {
    if (names.has(r.name)) throw invalidConfig(`${stage}: two checks are named "${r.name}".`, { hint: 'give each check its own name' });
    names.add(r.name);
  }
  return rules;
}

export interface CompiledConfig {
  readonly input: readonly Rule[];
  readonly output: readonly Rule[];
  readonly holdback: number;
  readonly maxHold: number;
  readonly refusal: string;
  readonly warnHeader: boolean;
}

export function compileConfig(cfg: Readonly<GuardrailsConfig>): CompiledConfig {
  return {
    input: compileRules(cfg.input, 'input'),
    output: compileRules(cfg.output, 'output'),
    holdback: cfg.stream_holdback_chars,
    maxHold: cfg.stream_max_hold_chars,
    refusal: cfg.refusal_message,
    warnHeader: cfg.warn_header,
  };
}
