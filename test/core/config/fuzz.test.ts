// The config parser under fuzzing (issue 19 item 10; reliability property 29's "broken conf.yaml edits"): the whole
// `dgp validate` path short of sockets — YAML, ${ENV}, schema, semantic and Pixiu checks, normalisation, every plugin
// config — on the seed corpus in test/fixtures/fuzz/config (every input that ever failed is kept there) and on seeded
// mutations of it (text edits and structural edits), for a bounded time. Properties: nothing throws; every problem
// is coded DGP_ERR_*; no engine text ("Maximum call stack", "Cannot read properties") in a message or hint; each
// input is checked in bounded time. `DGP_FUZZ_MS=120000 DGP_FUZZ_SEED=7 npx tap test/core/config/fuzz.test.ts`
// runs longer by hand.
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { parse, stringify } from 'yaml';
import { loadConfig, type Problem } from '../../../core/config/load.js';
import { loadPlugins, type PluginRegistry } from '../../../core/registry/index.js';
import { resolvePlugins } from '../../../core/reload/resolve.js';
import { ENGINE_TEXT, fuzzLoop, fuzzSettings, type Fuzz } from '../../helpers/fuzz.js';

const CORPUS = fileURLToPath(new URL('../../fixtures/fuzz/config/', import.meta.url));
/** Per input, with the machine shared and loaded: a file of this size parses in a few ms. */
const MAX_MS_PER_INPUT = 2000;
const ENV = { KEY: 'k-1234567890', X: 'x' };

const corpus = readdirSync(CORPUS)
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .map((name) => ({ name, text: readFileSync(join(CORPUS, name), 'utf8') }));

/** What `dgp validate` does, without printing: the problems of the config and of every plugin config it names. */
async function validate(file: string, registry: PluginRegistry): Promise<Problem[]> {
  const loaded = await loadConfig({ file, env: ENV });
  if (loaded.raw === undefined) return loaded.problems;
  return [...loaded.problems, ...resolvePlugins(loaded.config ?? loaded.raw, loaded, registry).problems];
}

function makeChecker(registry: PluginRegistry) {
  const dir = mkdtempSync(join(tmpdir(), 'dgp-fuzz-config-'));
  const file = join(dir, 'conf.yaml');
  /** Inputs that validated clean, and how often each code was reported: shows how deep the mutations reach. */
  const seen = { valid: 0, codes: new Map<string, number>() };
  const check = async (text: string): Promise<string | undefined> => {
    writeFileSync(file, text);
    const started = performance.now();
    const problems = await validate(file, registry);
    const ms = performance.now() - started;
    if (!problems.some((p) => p.severity === 'error')) seen.valid++;
    for (const p of problems) seen.codes.set(p.code, (seen.codes.get(p.code) ?? 0) + 1);
    if (ms > MAX_MS_PER_INPUT) return `took ${Math.round(ms)} ms`;
    for (const p of problems) {
      if (!/^DGP_ERR_[A-Z0-9_]+$/.test(p.code)) return `uncoded problem: ${JSON.stringify(p)}`;
      const words = `${p.message} ${p.hint ?? ''}`;
      if (ENGINE_TEXT.test(words)) return `engine text: ${p.code} ${words}`;
    }
    return undefined;
  };
  return { check, seen, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** One input: a corpus entry with text edits, or its YAML parsed, edited as a tree and written back. */
function mutate(f: Fuzz): string {
  const seed = f.pick(corpus).text;
  if (f.chance(0.4)) return f.mutateText(seed, 1 + f.int(3));
  let tree: unknown;
  try {
    tree = parse(seed, { maxAliasCount: 100 });
  } catch {
    return f.mutateText(seed);
  }
  const edited = f.mutateValue(tree);
  try {
    const text = stringify(edited, { aliasDuplicateObjects: false, lineWidth: 0 });
    return f.chance(0.2) ? f.mutateText(text, 1 + f.int(2)) : text;
  } catch {
    return f.mutateText(seed);
  }
}

t.test('config fuzzing: the corpus, then seeded mutations for a bounded time', async (t) => {
  const registry = await loadPlugins({ pluginDirs: [] });
  const { check, seen, cleanup } = makeChecker(registry);
  t.teardown(cleanup);

  t.ok(corpus.length >= 5, `${corpus.length} corpus entries`);
  for (const entry of corpus) t.equal(await check(entry.text), undefined, `corpus ${entry.name}`);

  const settings = fuzzSettings({ seed: 19, runs: 100_000, budgetMs: 10_000 });
  const result = await fuzzLoop(settings, mutate, check);
  const codes = [...seen.codes].sort((a, b) => b[1] - a[1]).map(([c, n]) => `${c.replace('DGP_ERR_', '')} ${n}`);
  t.comment(`seed ${settings.seed}: ${result.ran} mutated configs in ${Math.round(result.elapsedMs)} ms; ${seen.valid} valid; ${codes.length} codes: ${codes.join(', ')}`);
  t.ok(result.ran >= 50, `${result.ran} inputs checked`);
  for (const f of result.failures) t.fail(`input #${f.index} (seed ${settings.seed}, ${f.count} alike): ${f.problem}`, { input: f.input.slice(0, 4000) });
  t.equal(result.failures.length, 0, 'no throw, no uncoded problem, no engine text, no slow input');
});
