// Gateway-level service tests: the probe plugin (fixtures/probe-plugin), a config that uses it, and its event log.
import { fileURLToPath } from 'node:url';

export const PROBE_PLUGIN = fileURLToPath(new URL('./fixtures/probe-plugin', import.meta.url));

type Globals = { __dgpServiceEvents?: string[]; __dgpServiceReady?: Record<string, boolean> };

/** create/close of the probe's service, in order (reset per test). */
export const serviceEvents = (): string[] => ((globalThis as Globals).__dgpServiceEvents ??= []);
export const resetProbe = (): void => {
  (globalThis as Globals).__dgpServiceEvents = [];
  (globalThis as Globals).__dgpServiceReady = {};
};
export const setProbeReady = (label: string, ready: boolean): void => {
  ((globalThis as Globals).__dgpServiceReady ??= {})[label] = ready;
};

/** One listener, one route, the probe filter with this label (and store id); `adapters` is YAML list items. */
export function probeConf(label: string, opts: { store?: string; adapters?: string } = {}): string {
  return `
static_resources:
  listeners:
    - name: main
      address: {socket_address: {address: 127.0.0.1, port: 0}}
      filter_chains:
        filters:
          - name: dgp.filter.httpconnectionmanager
            config:
              route_config:
                routes:
                  - match: {prefix: /}
                    route: {cluster: c}
              http_filters:
                - name: probe.services
                  config: {label: ${label}${opts.store ? `, store: ${opts.store}` : ''}}
  clusters:
    - name: c
      endpoints: [{id: e1, socket_address: {address: 127.0.0.1, port: 9}}]
${opts.adapters ? `  adapters:\n${opts.adapters}` : ''}
workers: {threads: 1}
`;
}
