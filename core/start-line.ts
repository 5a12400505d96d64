// The one line a started gateway logs: its listeners' URLs, the admin and dashboard URLs, and whether it lends
// server-side provider keys. The message stays constant (log queries match it); everything else is a field, shown
// on the line in pretty mode too.
import type { Logger } from 'pino';
import type { BootstrapConfig } from './config/schema/index.js';
import { hostForUrl, listenerUrl } from './config/routes-view.js';

export interface StartFacts {
  worker: boolean;
  generation: number;
  ports: Record<string, number>;
  adminPort: number;
  watch: boolean;
}

export function logStarted(log: Logger, config: BootstrapConfig, f: StartFacts): void {
  const adminUrl = f.adminPort ? `http://${hostForUrl(config.admin.address)}:${f.adminPort}/` : undefined;
  log.info(
    {
      generation: f.generation,
      listeners: f.ports,
      admin: f.adminPort || undefined,
      urls: listenerUrls(config, f.ports),
      admin_url: adminUrl,
      dashboard_url: adminUrl ? `${adminUrl}dashboard` : undefined,
      server_keys: serverKeys(config),
      watch: f.watch,
    },
    f.worker ? 'worker started' : 'dgp-gateway started',
  );
}

/** The URL of each bound listener, by name. */
function listenerUrls(config: BootstrapConfig, ports: Record<string, number>): Record<string, string> {
  const out: Record<string, string> = {};
  config.static_resources.listeners.forEach((l, i) => {
    const name = l.name || `listener-${i}`;
    const port = ports[name];
    if (port !== undefined) out[name] = listenerUrl(l, port);
  });
  return out;
}

/**
 * Which endpoints send a key of the operator's (llm_meta.api_key set) instead of the client's own: an operator should
 * know at a glance whether the gateway lends a paid key (the keys filter's line says who may use it).
 */
function serverKeys(config: BootstrapConfig): string {
  const holders = config.static_resources.clusters.flatMap((c) => c.endpoints.filter((e) => e.llm_meta?.api_key).map((e) => `${c.name}/${e.id || '?'}`));
  return holders.length === 0 ? 'none: clients send their own provider keys' : `injected for ${holders.join(', ')}`;
}
