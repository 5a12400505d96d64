// One reload, step by step, entirely off to the side: load plugins (third-party ones re-imported when their entry
// changed), resolve kinds and validate plugin configs, create every factory, bind new listener sockets, start
// adapters — and only then swap the listeners over. Each failure undoes what was built and leaves the old serving.
import type { LoadedConfig } from '../config/load.js';
import type { BootstrapConfig } from '../config/schema/index.js';
import { isDgpError } from '../errors.js';
import { loadPlugins, registryProblemAsProblem } from '../registry/index.js';
import { summarizeDiff, summarizePluginDiff } from './diff.js';
import { buildGeneration } from './build-generation.js';
import type { Generation, HostServices } from './generation.js';
import { ListenerStageError, type ListenerSet } from './listener-set.js';
import { resolvePlugins } from './resolve.js';
import { restartRequired } from './restart-required.js';
import { failure, failureFromProblems, problemAt, type ReloadResult } from './result.js';

export interface ApplyContext {
  previous: Generation | undefined;
  /** The config the process started with (fixed settings); undefined for the first generation. */
  started: BootstrapConfig | undefined;
  listeners: ListenerSet;
  /** `--plugin-dir` folders (added to the config's plugins.dirs). */
  pluginDirs: readonly string[];
  services: HostServices;
}

export type ApplyOutcome = { ok: true; generation: Generation; result: ReloadResult } | { ok: false; result: ReloadResult };

export async function applyConfig(loaded: LoadedConfig, c: ApplyContext): Promise<ApplyOutcome> {
  const config = loaded.config!;
  const { log } = c.services;
  const genId = c.previous?.id ?? 0;
  const fail = (result: ReloadResult): ApplyOutcome => ({ ok: false, result });
  // cacheBust from the first generation on: an unchanged entry then keeps its `?v=<mtime>-<size>` URL, so a reload
  // re-imports (and reports) only the plugins whose entry file changed.
  const trust = { allowUnsafe: config.plugins.allow_unsafe, integrity: config.plugins.integrity };
  const registry = await loadPlugins({ pluginDirs: [...config.plugins.dirs, ...c.pluginDirs], log, cacheBust: true, trust });
  for (const p of registry.problems) log.warn({ code: p.code, folder: p.folder }, p.message);
  const resolved = resolvePlugins(config, loaded, registry);
  // A plugin that no longer imports makes its kinds unknown: its error, with the plugin's file and line, leads.
  if (resolved.problems.length) {
    const unknown = resolved.problems.filter((p) => p.code === 'DGP_ERR_PLUGIN_UNKNOWN_KIND');
    const causes = unknown.length ? registry.problems.map(registryProblemAsProblem) : [];
    return fail(failureFromProblems(genId, [...causes, ...resolved.problems]));
  }

  let gen: Generation;
  try {
    gen = await buildGeneration(config, resolved, registry, c.services, c.previous);
  } catch (err) {
    const pointer = isDgpError(err) && typeof err.details?.pointer === 'string' ? err.details.pointer : '';
    return fail(failureFromProblems(genId, [problemAt(loaded, pointer, err)]));
  }
  let staged;
  try {
    staged = await c.listeners.stage(gen.listenerSpecs);
  } catch (err) {
    await gen.close();
    if (!(err instanceof ListenerStageError)) throw err;
    const base = `/static_resources/listeners/${err.listenerIndex}`;
    const pointer = err.field === 'port' ? `${base}/address/socket_address/port` : `${base}/config/cert_file`;
    return fail(failureFromProblems(genId, [problemAt(loaded, pointer, err.error)]));
  }
  try {
    await gen.startAdapters();
  } catch (err) {
    await c.listeners.discard(staged);
    await gen.retire(0);
    await gen.close();
    return fail(failure(genId, isDgpError(err) ? err.code : 'DGP_ERR_RELOAD_FAILED', `an adapter failed to start: ${(err as Error).message}`));
  }
  c.listeners.commit(staged, gen.listenerSpecs, gen.hcms, config.static_resources.shutdown_config.timeout);
  const diff = [summarizeDiff(c.previous?.config, config), summarizePluginDiff(c.previous?.registry, registry)].filter((d) => d && d !== 'no changes');
  const restart = [...(c.started ? restartRequired(c.started, config) : []), ...staged.restartRequired];
  return {
    ok: true,
    generation: gen,
    result: {
      ok: true,
      at: new Date().toISOString(),
      generation: gen.id,
      diff: diff.length ? diff.join('; ') : 'no changes',
      ...(restart.length ? { restartRequired: restart } : {}),
    },
  };
}
