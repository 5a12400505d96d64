// What GET /config shows: the serving generation and file, the config as loaded (secrets redacted), the runtime
// state (clusters, bound listener ports, generations still draining, what the watcher watches) and the last reload.
import type { LoadedConfig } from '../config/load.js';
import { redactDeep } from '../observability/logger.js';
import type { Generation } from '../reload/generation.js';
import { lastReloadView } from '../reload/report.js';
import type { ReloadResult } from '../reload/result.js';
import type { ConfigWatcher } from '../reload/watch.js';

export interface ConfigViewParts {
  current: Generation;
  loaded: LoadedConfig;
  listeners: Record<string, number>;
  retiring: ReadonlySet<Generation>;
  watcher: ConfigWatcher | undefined;
  lastReload: ReloadResult | undefined;
}

export function configView(p: ConfigViewParts): Record<string, unknown> {
  return {
    generation: p.current.id,
    file: p.loaded.file,
    config: redactDeep(p.loaded.config),
    runtime: {
      clusters: p.current.clusters.snapshot(),
      listeners: p.listeners,
      retiring: [...p.retiring].filter((g) => !g.closed).map((g) => ({ generation: g.id, in_flight: g.inFlight })),
      watch: p.watcher ? p.watcher.watched : null,
    },
    last_reload: p.lastReload ? lastReloadView(p.lastReload) : null,
  };
}
