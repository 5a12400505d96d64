// Shared by the keys filter tests: a gateway whose one listener runs keys → proxy to one cluster of strict mock
// providers on loopback, and the YAML of a keys filter config.
import { KEYS, type Provider } from '../../../e2e/providers/helpers.js';

export interface KeysGatewayOptions {
  /** dgp.filter.llm.keys config, YAML indented for `config:` under the filter (8 spaces deeper than http_filters). */
  keys: string;
  provider: Provider;
  port: number;
  /** Endpoint llm_meta.api_key; default: the key the mock expects. */
  apiKey?: string;
  /** YAML list items under static_resources.adapters. */
  adapters?: string;
  /** Route id (for routes allow-lists). */
  routeId?: string;
  /** YAML list items of filters between the keys filter and the proxy (indented like `- name:` under http_filters). */
  middle?: string;
}

export function keysGatewayYaml(o: KeysGatewayOptions): string {
  return `static_resources:
  shutdown_config: {timeout: 300ms}
${o.adapters === undefined ? '' : `  adapters:\n${o.adapters}`}  listeners:
    - name: main
      address: {socket_address: {address: 127.0.0.1, port: 0}}
      filter_chains:
        filters:
          - name: dgp.filter.httpconnectionmanager
            config:
              route_config:
                routes:
                  - match: {prefix: /}
                    route: {cluster: llm}${o.routeId === undefined ? '' : `\n                    id: ${o.routeId}`}
              http_filters:
                - name: dgp.filter.llm.keys
                  config:
${o.keys}${o.middle ?? ''}
                - name: dgp.filter.llm.proxy
                  config: {}
  clusters:
    - name: llm
      lb_policy: RoundRobin
      endpoints:
        - id: ep-0
          socket_address: {address: 127.0.0.1, port: ${o.port}}
          llm_meta: ${JSON.stringify({ provider: o.provider, api_key: o.apiKey ?? KEYS[o.provider], scheme: 'http', health_check_interval: 0 })}
`;
}

/** Every header and URL an upstream mock received, as one string, to assert a secret never appears. */
export const wireOf = (requests: ReadonlyArray<{ headers: object; path: string; query: URLSearchParams }>): string =>
  JSON.stringify(requests.map((r) => ({ h: r.headers, p: r.path, q: r.query.toString() })));
