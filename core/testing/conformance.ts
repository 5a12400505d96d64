// The conformance suite every plugin passes (hono's habit: one shared suite, run against every implementation).
// It asserts: the manifest's shape and apiVersion; a built-in's kind and type match its folder; configSchema compiles
// (and, by house style, rejects unknown fields and describes every property); each valid config passes with its
// defaults applied and comes back deep-frozen; each invalid config fails with an issue at the given JSON pointer,
// which the host reports as DGP_ERR_PLUGIN_CONFIG; `create` works twice with a stub FactoryContext, returns a fresh
// instance of the right shape each time (filter hooks; adapter start/stop; a provider codec named after its kind with
// its wire API, settings and upstream codec), and `close()` (when present) may be called twice. The config checks are
// in conformance-config.ts, the create checks in conformance-create.ts; this file runs them per plugin.
//
// Shipped as `dgp-gateway/testing`: a plugin author runs it with tap (`runConformance(t, …)`) or, with any other test
// runner, through `conformanceReport(…)`, which returns every failed check.
//
// Fixture format, one file per kind (readConformanceFixture): <dir>/<kind>.json
//   {
//     "valid":   [ { "value": "a" }, { "header": "X-Team", "value": "b" } ],   // at least one; [0] is used for create
//     "invalid": [ { "config": {}, "pointer": "/value", "why": "value is required" } ]
//   }
// `pointer` is the JSON pointer (RFC 6901) of the offending field inside the config; "" is the config itself.
// `why` is optional and only names the subtest. Plain JSON only: no comments, no trailing commas.
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { API_VERSION, type PluginManifest } from '../index.js';
import { checkManifest, expectedForFolder, loadPlugins } from '../registry/index.js';
import { checkConfigs, checkSchema } from './conformance-config.js';
import { checkCreate } from './conformance-create.js';
import { recordingTest, type AnyTest, type CheckResult, type TestLike } from './test-like.js';

export interface InvalidConfigCase {
  config: unknown;
  pointer: string;
  why?: string;
}

export interface ConformanceOptions {
  /** A plugin package (or folder of packages; relative to the working directory), loaded as `--plugin-dir` is. */
  dir?: string;
  /** Or a manifest already in hand (built-ins)… */
  manifest?: PluginManifest;
  /** …and its folder: for `filters/<g>/<n>` and `adapters/<a>/<b>` the kind and type must match it. */
  folder?: string;
  validConfigs: unknown[];
  invalidConfigs: InvalidConfigCase[];
  /** House style (STYLE.md habit 3): unknown fields rejected, every property described. Default true. */
  strictSchema?: boolean;
}

export interface ConformanceFixture {
  valid: unknown[];
  invalid: InvalidConfigCase[];
}
/** Reads <dir>/<kind>.json; undefined when there is none. */
export async function readConformanceFixture(dir: string, kind: string): Promise<ConformanceFixture | undefined> {
  const url = { pathname: join(dir, `${kind}.json`) };
  const text = await readFile(url.pathname, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  const data = JSON.parse(text) as Partial<ConformanceFixture>;
  const invalidOk = Array.isArray(data.invalid) && data.invalid.every((c) => typeof c?.pointer === 'string' && 'config' in c);
  if (!Array.isArray(data.valid) || !invalidOk) {
    throw new Error(`${url.pathname}: expected { "valid": [config...], "invalid": [{ "config", "pointer" }...] }`);
  }
  return { valid: data.valid, invalid: data.invalid as InvalidConfigCase[] };
}

/**
 * The suite without a test runner: every check it made, and the failed ones. With node:test:
 * `assert.deepEqual((await conformanceReport({ dir, validConfigs, invalidConfigs })).failed, [])`.
 */
export async function conformanceReport(opts: ConformanceOptions): Promise<{ checks: CheckResult[]; failed: CheckResult[] }> {
  const checks: CheckResult[] = [];
  await runConformance(recordingTest(checks), opts);
  return { checks, failed: checks.filter((c) => !c.ok) };
}

export async function runConformance(test: AnyTest, opts: ConformanceOptions): Promise<void> {
  const t = test as unknown as TestLike;
  if (opts.dir !== undefined) {
    const registry = await loadPlugins({ pluginDirs: [resolve(opts.dir)], builtinRoot: false });
    t.same(registry.problems.map((p) => `${p.code}: ${p.message}`), [], 'the plugin folder loads without problems');
    const entries = registry.entries();
    t.ok(entries.length > 0, `${opts.dir} provides at least one plugin`);
    for (const entry of entries) await t.test(entry.kind, (st) => checkPlugin(st, entry.manifest, entry.source.folder, opts));
    return;
  }
  if (opts.manifest === undefined) throw new Error('runConformance needs `dir` or `manifest`');
  const { manifest } = opts;
  await t.test(String(manifest.kind), (st) => checkPlugin(st, manifest, opts.folder, opts));
}

async function checkPlugin(t: TestLike, manifest: PluginManifest, folder: string | undefined, opts: ConformanceOptions): Promise<void> {
  const shape = checkManifest(manifest, folder ?? '(in hand)');
  t.same(shape.problems.map((p) => p.message), [], 'manifest shape');
  t.equal(manifest.apiVersion, API_VERSION, 'apiVersion is the host API version');
  const expected = folder === undefined ? undefined : expectedForFolder(folder);
  if (expected !== undefined) {
    t.ok(expected.kinds.includes(manifest.kind), `kind "${manifest.kind}" matches its folder (${expected.kinds.join(' or ')})`);
    t.equal(manifest.type ?? 'filter', expected.type, 'type matches its folder');
  }
  checkSchema(t, manifest.configSchema, opts.strictSchema ?? true);
  checkConfigs(t, manifest, opts);
  await checkCreate(t, manifest, opts.validConfigs);
}
