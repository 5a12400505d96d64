// The conformance checks of a plugin's `create`: it works twice with a stub FactoryContext, returns a fresh instance
// of the right shape each time (filter hooks; adapter start/stop; a provider codec named after its kind with its wire
// API, settings and upstream codec), and `close()`, when present, may be called twice (the suite is in conformance.ts).
import type { PluginManifest } from '../index.js';
import { validatePluginConfig } from '../registry/index.js';
import { stubFactoryContext } from './factory-context.js';
import { isObject } from './conformance-config.js';
import type { TestLike } from './test-like.js';

export async function checkCreate(t: TestLike, manifest: PluginManifest, validConfigs: unknown[]): Promise<void> {
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

/** A provider's codec (core/llm/provider-codec.ts ProviderCodec): what the proxy looks up by `llm_meta.provider`. */
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
