// The conformance suite every plugin passes (hono's habit: one shared suite, run against every implementation).
// It asserts: the manifest's shape and apiVersion; a built-in's kind and type match its folder; configSchema compiles
// (and, by house style, rejects unknown fields and describes every property); each valid config passes with its
// defaults applied and comes back deep-frozen; each invalid config fails with an issue at the given JSON pointer,
// which the host reports as DGP_ERR_PLUGIN_CONFIG; `create` works twice with a stub FactoryContext, returns a fresh
// instance of the right shape each time (filter hooks; adapter start/stop; a provider codec named after its kind with
// its wire API, settings and upstream codec), and `close()` (when present) may be called twice.
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
import { Compile } from 'typebox/compile';
import { API_VERSION, type JsonSchema, type PluginManifest } from '../index.js';
import {
  checkManifest,
  expectedForFolder,
  loadPlugins,
  pluginConfigError,
  validatePluginConfig,
  type PluginEntry,
} from '../registry/index.js';
import { stubFactoryContext } from './factory-context.js';
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

const UNKNOWN_FIELD = '__conformance_unknown_field__';

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

function checkSchema(t: TestLike, schema: JsonSchema, strict: boolean): void {
  t.doesNotThrow(() => Compile(schema), 'configSchema compiles');
  if (!strict) return;
  t.equal(schema.type, 'object', 'configSchema is an object schema');
  t.equal(schema.additionalProperties, false, 'configSchema rejects unknown fields (additionalProperties: false)');
  t.same(undescribed(schema, ''), [], 'every config property has a description');
}

function checkConfigs(t: TestLike, manifest: PluginManifest, opts: ConformanceOptions): void {
  const entry = { manifest, kind: manifest.kind } satisfies Pick<PluginEntry, 'manifest' | 'kind'>;
  t.ok(opts.validConfigs.length > 0, 'at least one valid config is given');
  opts.validConfigs.forEach((raw, i) => {
    const { config, issues } = validatePluginConfig(entry, structuredClone(raw));
    t.same(issues, [], `valid config #${i} passes`);
    expectDefaults(t, manifest.configSchema, raw, config, '');
    t.ok(isDeepFrozen(config), `valid config #${i} comes back deep-frozen`);
  });
  const first = opts.validConfigs[0];
  if ((opts.strictSchema ?? true) && isObject(first)) {
    const { issues } = validatePluginConfig(entry, { ...first, [UNKNOWN_FIELD]: 1 });
    t.ok(issues.some((i) => i.pointer === `/${UNKNOWN_FIELD}`), 'an unknown field is reported at its pointer', { found: issues });
  }
  for (const [i, bad] of opts.invalidConfigs.entries()) {
    const { issues } = validatePluginConfig(entry, structuredClone(bad.config));
    const label = `invalid config #${i}${bad.why === undefined ? '' : ` (${bad.why})`}`;
    t.ok(issues.some((issue) => issue.pointer === bad.pointer), `${label} fails at "${bad.pointer}"`, { found: issues });
    t.equal(pluginConfigError(entry, issues).code, 'DGP_ERR_PLUGIN_CONFIG', `${label} maps to DGP_ERR_PLUGIN_CONFIG`);
  }
}

async function checkCreate(t: TestLike, manifest: PluginManifest, validConfigs: unknown[]): Promise<void> {
  for (const [i, raw] of validConfigs.entries()) {
    const { config, issues } = validatePluginConfig({ manifest }, structuredClone(raw));
    if (issues.length > 0) continue; // already failed above; create would only add noise
    const contexts = [stubFactoryContext({ kind: manifest.kind }), stubFactoryContext({ kind: manifest.kind })];
    const instances: unknown[] = [];
    for (const ctx of contexts) instances.push(await manifest.create(config, ctx));
    t.ok(instances.every(isObject), `create works twice with config #${i}`);
    t.not(instances[0], instances[1], 'each create returns a fresh instance (a retired generation closes its own)');
    for (const instance of instances) checkInstanceShape(t, manifest, instance);
    for (const instance of instances) {
      const close = isObject(instance) ? instance.close : undefined;
      if (typeof close !== 'function') continue;
      await close.call(instance);
      await close.call(instance);
      t.pass('close() may be called twice');
    }
    for (const ctx of contexts) ctx.controller.abort();
    // As the host does once a generation is closed: services nobody holds any more are closed (sockets, timers).
    for (const ctx of contexts) await ctx.services.release();
  }
}

const FILTER_HOOKS = ['decode', 'encode', 'onChunk', 'onStreamEnd', 'onComplete'] as const;

function checkInstanceShape(t: TestLike, manifest: PluginManifest, instance: unknown): void {
  if (!isObject(instance)) return;
  const type = manifest.type ?? 'filter';
  if (type === 'filter') {
    const present = FILTER_HOOKS.filter((h) => instance[h] !== undefined);
    t.ok(present.length > 0, `the filter implements at least one of ${FILTER_HOOKS.join(', ')}`);
    for (const hook of [...present, ...(instance.close === undefined ? [] : ['close'])]) {
      t.type(instance[hook], 'function', `${hook} is a function`);
    }
  } else if (type === 'adapter') {
    t.type(instance.start, 'function', 'the adapter has start()');
    t.type(instance.stop, 'function', 'the adapter has stop()');
  } else if (type === 'provider') {
    checkProviderShape(t, manifest.kind, instance);
  }
  if (manifest.terminal !== undefined) t.equal(type, 'filter', 'only a filter declares terminal');
}

const WIRE_APIS = ['openai', 'anthropic', 'gemini', 'bedrock'];
const UPSTREAM_HOOKS = ['target', 'fromChat', 'toChat', 'createDecoder', 'parseError'] as const;

/** A provider's codec (core/llm/api.ts ProviderCodec): what the proxy looks up by `llm_meta.provider`. */
function checkProviderShape(t: TestLike, kind: string, codec: Record<string, unknown>): void {
  const prefix = 'dgp.adapter.provider.';
  if (kind.startsWith(prefix)) t.equal(codec.name, kind.slice(prefix.length), 'the codec is named after its kind');
  else t.type(codec.name, 'string', 'the codec has a name');
  t.ok(WIRE_APIS.includes(codec.api as string), `the codec speaks a wire API (${WIRE_APIS.join(', ')})`, { found: codec.api });
  t.ok(isObject(codec.settings), 'the codec exposes its settings');
  const upstream = codec.upstream;
  t.ok(isObject(upstream), 'the codec has an upstream codec');
  if (!isObject(upstream)) return;
  for (const hook of UPSTREAM_HOOKS) t.type(upstream[hook], 'function', `upstream.${hook} is a function`);
  t.ok(Array.isArray(upstream.settingKeys), 'upstream.settingKeys is an array');
  if (upstream.sign !== undefined) t.type(upstream.sign, 'function', 'upstream.sign, when present, is a function');
  if (upstream.streamFraming !== undefined) {
    const f = upstream.streamFraming;
    t.ok(isObject(f) && typeof f.contentType === 'string' && typeof f.createReader === 'function', 'upstream.streamFraming has contentType and createReader()');
  }
  if (codec.client !== undefined) t.ok(isObject(codec.client), 'the client codec, when present, is an object');
}

/** Properties of every object schema reachable through `properties` that lack a description. */
function undescribed(schema: unknown, pointer: string): string[] {
  if (!isObject(schema) || !isObject(schema.properties)) return [];
  return Object.entries(schema.properties).flatMap(([key, sub]) => [
    ...(isObject(sub) && typeof sub.description === 'string' && sub.description !== '' ? [] : [`${pointer}/${key}`]),
    ...undescribed(sub, `${pointer}/${key}`),
  ]);
}

/** Every `default` of a property the raw config left out is present in the result (recursing into given objects). */
function expectDefaults(t: TestLike, schema: unknown, raw: unknown, result: unknown, pointer: string): void {
  if (!isObject(schema) || !isObject(schema.properties) || !isObject(result)) return;
  for (const [key, sub] of Object.entries(schema.properties)) {
    if (!isObject(sub)) continue;
    const given = isObject(raw) && Object.hasOwn(raw, key);
    if (!given && 'default' in sub) {
      // has(), not same(): a defaulted object may gain nested defaults of its own.
      if (isObject(sub.default)) t.has(result[key], sub.default, `default applied at ${pointer}/${key}`);
      else t.same(result[key], sub.default, `default applied at ${pointer}/${key}`);
    } else if (given) {
      expectDefaults(t, sub, (raw as Record<string, unknown>)[key], result[key], `${pointer}/${key}`);
    }
  }
}

/** Plain objects and arrays only, like deepFreeze: class instances a schema produced are left as they are. */
function isDeepFrozen(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return true;
  const proto = Object.getPrototypeOf(value) as unknown;
  if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) return true;
  return Object.isFrozen(value) && Object.values(value).every(isDeepFrozen);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
