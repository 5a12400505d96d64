// Loads conf.yaml: read, parse with positions, expand ${ENV}, validate against BootstrapSchema, run the semantic and
// Pixiu-compat checks, normalise. Never throws for config problems: every problem comes back with file:line:col.
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { semanticChecks } from './checks.js';
import { isStackOverflow, tooLarge } from './limits.js';
import { normalizeConfig } from './normalize.js';
import { pixiuCompatChecks } from './pixiu-compat.js';
import { applyProviderHosts } from './provider-hosts.js';
import { error, type Finding, type Problem, type SourcePos } from './problems.js';
import { checkAgainstSchema } from './schema-check.js';
import { isRecord } from './schema-defaults.js';
import { valueAt } from './schema-messages.js';
import { bootstrapJsonSchema } from './schema/index.js';
import type { BootstrapConfig } from './types.js';
import { parseConfigYaml, type ParsedYaml } from './yaml-source.js';

export type { Problem, Severity } from './problems.js';

export interface LoadOptions {
  /** Folder holding conf.yaml (default: the current directory). */
  configDir?: string;
  /** A config file; its folder becomes configDir. Wins over configDir. */
  file?: string;
  /** Variables for ${VAR} expansion (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** Pixiu-compat warnings become errors (`dgp validate --strict`). */
  strict?: boolean;
  /** Structure only (`dgp validate --no-env`): an unset ${VAR} is reported as info, not an error. */
  noEnv?: boolean;
}

export interface LoadedConfig {
  /** undefined when there are errors. */
  config: BootstrapConfig | undefined;
  /** The parsed, env-expanded value even when it has errors (for best-effort checks such as plugin kinds). */
  raw: unknown;
  /** Errors and warnings, in file order. */
  problems: Problem[];
  errors: Problem[];
  warnings: Problem[];
  file: string;
  configDir: string;
  /** file:line:col of a JSON pointer (of its nearest ancestor present in the file). */
  locate(pointer: string): { file: string; line: number; col: number };
  /** Position of each JSON pointer present in the file (what `locate` reads). */
  positions: ReadonlyMap<string, SourcePos>;
}

export async function loadConfig(opts: LoadOptions = {}): Promise<LoadedConfig> {
  const file = opts.file ? resolve(opts.file) : join(resolve(opts.configDir ?? '.'), 'conf.yaml');
  const configDir = dirname(file);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const message = e.code === 'ENOENT' ? `no config file at ${file}` : `cannot read ${file}: ${e.message}`;
    const f = error('DGP_ERR_CONFIG_NOT_FOUND', '', message, 'pass --config-dir <dir> holding conf.yaml, or -c <file>');
    return result(file, configDir, new Map(), [{ ...f, pos: { line: 0, col: 0 } }], undefined, undefined, opts.strict);
  }
  const parsed = parseConfigYaml(text, opts.env ?? process.env);
  let findings = [...parsed.findings];
  let config: BootstrapConfig | undefined;
  const unparsable = parsed.value === undefined && findings.some((f) => f.severity === 'error');
  if (!unparsable) {
    try {
      const checked = validate(parsed, findings);
      if (checked !== undefined && !findings.some((f) => f.severity === 'error' || (opts.strict && isCompat(f)))) {
        config = normalizeConfig(checked, configDir);
      }
    } catch (err) {
      // The engine's own overflow is never a config message; the parser's limits should have caught it first.
      if (!isStackOverflow(err)) throw err;
      config = undefined;
      findings.push(tooLarge('', 'the config is too deep or too large to check'));
    }
  }
  // An unset ${VAR} expands to '' and would also fail validation there; the env error alone says what to do.
  const envPointers = new Set(findings.filter((f) => f.code.startsWith('DGP_ERR_CONFIG_ENV_')).map((f) => f.pointer));
  findings = findings.filter((f) => f.code.startsWith('DGP_ERR_CONFIG_ENV_') || !envPointers.has(f.pointer));
  if (opts.noEnv) findings = findings.map((f) => (f.code === 'DGP_ERR_CONFIG_ENV_UNSET' ? { ...f, severity: 'info' } : f));
  return result(file, configDir, parsed.positions, findings.map((f) => explainExpansion(f, parsed)), config, parsed.value, opts.strict);
}

/** Returns the defaulted value (when it is a bootstrap at all) and appends every finding. */
function validate(parsed: ParsedYaml, findings: Finding[]): unknown {
  const raw = parsed.value;
  if (raw === undefined) {
    findings.push(error('DGP_ERR_CONFIG_SCHEMA', '', 'the config file is empty', 'start from configs/conf.yaml or docs/configuration.md'));
    return undefined;
  }
  if (!isRecord(raw) || raw.static_resources === undefined) {
    const keys = isRecord(raw) ? Object.keys(raw) : [];
    const hint = keys.length
      ? `this looks like a fragment (top-level ${keys.join(', ')}): put it inside a full bootstrap, e.g. clusters under static_resources.clusters and http_filters under a listener's dgp.filter.httpconnectionmanager config`
      : 'a bootstrap is a mapping with static_resources: { listeners, clusters }';
    findings.push(error('DGP_ERR_CONFIG_SCHEMA', '', 'not a bootstrap config: missing static_resources', hint));
    return undefined;
  }
  coerceExpandedScalars(parsed);
  const { value, issues } = checkAgainstSchema(bootstrapJsonSchema, raw);
  for (const i of issues) findings.push(error('DGP_ERR_CONFIG_SCHEMA', i.pointer, i.message, i.hint));
  findings.push(...pixiuCompatChecks(raw), ...semanticChecks(value, raw), ...applyProviderHosts(value, raw));
  return value;
}

/**
 * `port: ${PORT}` yields the string "8080"; a whole-scalar expansion that reads as a number or boolean becomes one
 * when the schema wants that type (found by checking once; only expanded values are touched).
 */
function coerceExpandedScalars(parsed: ParsedYaml): void {
  if (parsed.expanded.size === 0) return;
  const { issues } = checkAgainstSchema(bootstrapJsonSchema, parsed.value);
  for (const issue of issues) {
    if (!parsed.expanded.has(issue.pointer)) continue;
    const wanted = /^expected (integer|number|boolean)/.exec(issue.message)?.[1];
    const current = valueAt(parsed.value, issue.pointer);
    if (!wanted || typeof current !== 'string') continue;
    const next = wanted === 'boolean' ? ({ true: true, false: false } as Record<string, boolean>)[current] : /^-?\d+(\.\d+)?$/.test(current.trim()) ? Number(current) : undefined;
    if (next === undefined || (wanted === 'integer' && !Number.isInteger(next))) continue;
    setAt(parsed.value, issue.pointer, next);
  }
}

function setAt(root: unknown, pointer: string, v: unknown): void {
  const parts = pointer.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  const last = parts.pop()!;
  const parent = valueAt(root, parts.length ? `/${parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}` : '');
  if (Array.isArray(parent)) parent[Number(last)] = v;
  else if (isRecord(parent)) Object.defineProperty(parent, last, { value: v, enumerable: true, writable: true, configurable: true });
}

function explainExpansion(f: Finding, parsed: ParsedYaml): Finding {
  const vars = parsed.expanded.get(f.pointer);
  if (!vars || f.code === 'DGP_ERR_CONFIG_ENV_UNSET' || f.code === 'DGP_ERR_CONFIG_ENV_SYNTAX') return f;
  return { ...f, message: `${f.message} (the value came from expanding ${vars.map((v) => `\${${v}}`).join(', ')})` };
}

const isCompat = (f: Finding): boolean => f.code === 'DGP_ERR_CONFIG_PIXIU_COMPAT';

function result(
  file: string,
  configDir: string,
  positions: Map<string, SourcePos>,
  findings: Finding[],
  config: BootstrapConfig | undefined,
  raw: unknown,
  strict?: boolean,
): LoadedConfig {
  const locate = locatorFor(file, positions);
  const problems: Problem[] = findings
    .map((f) => {
      const at = f.pos ?? locate(f.pointer);
      const severity = strict && isCompat(f) ? 'error' : f.severity;
      return { code: f.code, severity, message: f.message, file, line: at.line, col: at.col, pointer: f.pointer, ...(f.hint ? { hint: f.hint } : {}) } satisfies Problem;
    })
    .sort((a, b) => a.line - b.line || a.col - b.col);
  const errors = problems.filter((p) => p.severity === 'error');
  return { config: errors.length ? undefined : config, raw, problems, errors, warnings: problems.filter((p) => p.severity === 'warning'), file, configDir, locate, positions };
}

/** LoadedConfig.locate over a pointer → position map (also rebuilt after a load in a worker thread). */
export function locatorFor(file: string, positions: ReadonlyMap<string, SourcePos>): LoadedConfig['locate'] {
  return (pointer) => {
    for (let p = pointer; ; p = p.slice(0, p.lastIndexOf('/'))) {
      const pos = positions.get(p);
      if (pos) return { file, ...pos };
      if (p === '') return { file, line: 1, col: 1 };
    }
  };
}

/** One line: `conf.yaml:42:9 error DGP_ERR_CONFIG_SCHEMA /pointer: message (hint)`; the file relative to cwd. */
export function formatProblem(p: Problem): string {
  return formatProblemFrom(p, process.cwd());
}

/** formatProblem with the file shown relative to `cwd` (absolute when outside it). */
export function formatProblemFrom(p: Problem, cwd: string): string {
  const rel = relative(cwd, p.file);
  const name = rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : p.file;
  const where = p.line > 0 ? `${name}:${p.line}:${p.col}` : name;
  return `${where} ${p.severity} ${p.code}${p.pointer ? ` ${p.pointer}` : ''}: ${p.message}${p.hint ? ` (${p.hint})` : ''}`;
}
