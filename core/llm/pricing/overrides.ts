// Loads, checks and indexes the price override file. Every problem in the file is reported at once, at load time,
// as one DGP_ERR_PRICING_OVERRIDES error naming the file, the line, the entry and the fix.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Compile } from 'typebox/compile';
import { LineCounter, parseDocument } from 'yaml';
import { defineErrorCode } from '../../index.js';
import { PriceOverrideEntry, PriceOverrides } from './override-schema.js';
import { compileCard, type RateCard } from './rates.js';

const overridesError = defineErrorCode('DGP_ERR_PRICING_OVERRIDES', 500, {
  owner: 'dgp-gateway/llm (price book)',
  summary: 'The price override file cannot be read, does not parse, or has an entry that breaks its schema (all problems are listed, each with file:line and entry).',
  fix: 'Fix each entry as the message says; docs/pricing.md shows the format (provider, model, input_mtok, output_mtok, optional cache_read_mtok, cache_write_mtok, context_window, max_output).',
});
const validator = Compile(PriceOverrides);

/** One override entry, compiled. */
export interface OverrideMatch {
  readonly entry: PriceOverrideEntry;
  readonly card: RateCard;
  /** `<provider>/<model pattern>` as written in the file. */
  readonly key: string;
}

export interface OverrideTable {
  /** The entry for (provider, model): exact model names first (own provider before *), then globs in file order. */
  match(provider: string, model: string): OverrideMatch | undefined;
  readonly size: number;
}

interface RawError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  message: string;
}

/** Reads `source` (a path, relative to `configDir`, of a YAML or JSON file) or takes it as the parsed content. */
export function loadOverrides(source: string | object, configDir: string = process.cwd()): OverrideTable {
  if (typeof source !== 'string') return checkAndIndex(source, '<overrides object>', () => undefined);
  const file = resolve(configDir, source);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw overridesError(`${file}: the price override file cannot be read; check the path (relative to the config directory) and the file permissions.`, { cause, details: { file } });
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const line = lines.linePos(e.pos[0]).line;
    throw overridesError(`${file}:${line}: the price override file is not valid YAML/JSON: ${e.message.split('\n')[0]}; fix the syntax.`, { details: { file, line } });
  }
  const lineOf = (path: Array<string | number>): number | undefined => {
    const node = doc.getIn(path, true) as { range?: [number, number, number] } | undefined;
    return node?.range ? lines.linePos(node.range[0]).line : undefined;
  };
  return checkAndIndex(doc.toJS(), file, lineOf);
}

function checkAndIndex(value: unknown, file: string, lineOf: (path: Array<string | number>) => number | undefined): OverrideTable {
  const problems: string[] = [];
  if (!validator.Check(value)) {
    // An unknown field yields two errors (its own `false` schema and the parent's additionalProperties): keep one.
    for (const e of validator.Errors(value) as Iterable<RawError>) if (e.keyword !== 'boolean') problems.push(describeError(e, value, file, lineOf));
  } else {
    const entries = (value as PriceOverrides).prices;
    const seen = new Map<string, number>();
    entries.forEach((entry, i) => {
      const id = `${entry.provider.toLowerCase()}\u0000${entry.model.toLowerCase()}`;
      const first = seen.get(id);
      if (first !== undefined) problems.push(`${where(file, lineOf(['prices', i]))}: ${label(entry, i)} repeats prices[${first}] and would never match; remove one of them.`);
      else seen.set(id, i);
    });
  }
  if (problems.length > 0) {
    throw overridesError(`Price override file ${file} is invalid (${problems.length} problem${problems.length > 1 ? 's' : ''}):\n  ${problems.join('\n  ')}`, {
      details: { file, problems },
    });
  }
  return indexEntries((value as PriceOverrides).prices);
}

function where(file: string, line: number | undefined): string {
  return line === undefined ? file : `${file}:${line}`;
}

function label(entry: unknown, i: number): string {
  const e = (entry ?? {}) as { provider?: unknown; model?: unknown };
  const names = [typeof e.provider === 'string' ? `provider ${e.provider}` : '', typeof e.model === 'string' ? `model ${e.model}` : ''].filter(Boolean);
  return `prices[${i}]${names.length > 0 ? ` (${names.join(', ')})` : ''}`;
}

function describeError(e: RawError, value: unknown, file: string, lineOf: (path: Array<string | number>) => number | undefined): string {
  const path = e.instancePath.split('/').slice(1).map((s) => (/^\d+$/.test(s) ? Number(s) : s.replace(/~1/g, '/').replace(/~0/g, '~')));
  const unknownField = e.keyword === 'additionalProperties' ? (e.params.additionalProperties as string[] | undefined)?.[0] : undefined;
  const at = where(file, (unknownField === undefined ? undefined : lineOf([...path, unknownField])) ?? lineOf(path) ?? lineOf(path.slice(0, 2)));
  const entryIndex = path[0] === 'prices' && typeof path[1] === 'number' ? path[1] : undefined;
  const subject = entryIndex === undefined ? (e.instancePath === '' ? 'the file' : `field ${path.join('.')}`) : `${label(((value as { prices?: unknown[] }).prices ?? [])[entryIndex], entryIndex)}${path.length > 2 ? ` field ${path.slice(2).join('.')}` : ''}`;
  return `${at}: ${subject}: ${fix(e)}`;
}

function fix(e: RawError): string {
  const p = e.params;
  switch (e.keyword) {
    case 'required':
      return `add ${(p.requiredProperties as string[] | undefined)?.join(', ') ?? 'the missing field'} (required).`;
    case 'additionalProperties':
      return e.instancePath === ''
        ? `remove ${(p.additionalProperties as string[] | undefined)?.join(', ') ?? 'the unknown field'}; the file holds only a prices list.`
        : `remove ${(p.additionalProperties as string[] | undefined)?.join(', ') ?? 'the unknown field'}; allowed fields: ${ENTRY_FIELDS}.`;
    case 'minimum':
      return `must be >= ${String(p.limit)} (a price is USD per million tokens; write 0 for a free model).`;
    case 'minLength':
      return 'must not be empty.';
    case 'type':
      return `must be ${TYPE_WORDS[String(p.type)] ?? String(p.type)}.`;
    default:
      return `${e.message}.`;
  }
}

const ENTRY_FIELDS = Object.keys(PriceOverrideEntry.properties).join(', ');
const TYPE_WORDS: Record<string, string> = {
  object: 'a mapping (the file is `prices:` followed by a list of entries)',
  array: 'a list of entries',
  number: 'a number (USD per million tokens, e.g. 0.15)',
  integer: 'a whole number of tokens',
  string: 'a string',
};

function globRegExp(pattern: string): RegExp {
  const body = pattern.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${body}$`, 'i');
}

function indexEntries(entries: readonly PriceOverrideEntry[]): OverrideTable {
  const exact = new Map<string, OverrideMatch>();
  const globs: Array<{ provider: string; re: RegExp; match: OverrideMatch }> = [];
  for (const entry of entries) {
    const m: OverrideMatch = { entry, card: compileCard(entry), key: `${entry.provider}/${entry.model}` };
    const provider = entry.provider.toLowerCase();
    if (entry.model.includes('*')) globs.push({ provider, re: globRegExp(entry.model), match: m });
    else exact.set(`${provider}\u0000${entry.model.toLowerCase()}`, m);
  }
  return {
    size: entries.length,
    match(providerIn, modelIn) {
      const provider = providerIn.toLowerCase();
      const model = modelIn.toLowerCase();
      const hit = exact.get(`${provider}\u0000${model}`) ?? exact.get(`*\u0000${model}`);
      if (hit) return hit;
      for (const g of globs) if ((g.provider === provider || g.provider === '*') && g.re.test(model)) return g.match;
      return undefined;
    },
  };
}
