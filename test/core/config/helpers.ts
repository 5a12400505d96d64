// Shared helpers for the config tests: a small valid conf.yaml whose line numbers the tests rely on, and a loader
// that writes a file into a tap test dir and returns the problems formatted as `dgp validate` prints them.
import type { Test } from 'tap';
import { formatProblemFrom, loadConfig, type LoadedConfig, type LoadOptions } from '../../../core/config/index.js';

/** Line numbers matter: tests edit lines with String.replace so that every line keeps its number. */
export const BASE = `static_resources:
  listeners:
    - name: main
      address:
        socket_address:
          address: 127.0.0.1
          port: 8888
      filter_chains:
        filters:
          - name: dgp.filter.httpconnectionmanager
            config:
              route_config:
                routes:
                  - match:
                      prefix: /v1
                    route:
                      cluster: chat
              http_filters:
                - name: dgp.filter.llm.tokenizer
                - name: dgp.filter.llm.proxy
  clusters:
    - name: chat
      lb_policy: RoundRobin
      endpoints:
        - id: a
          socket_address:
            address: 127.0.0.1
            port: 9000
          llm_meta:
            provider: openai
            api_key: k
`;

export interface Loaded extends LoadedConfig {
  /** Problems as one-line strings with the file relative to the test dir. */
  lines: string[];
  dir: string;
}

export async function loadText(t: Test, yaml: string, opts: Omit<LoadOptions, 'configDir' | 'file'> = {}): Promise<Loaded> {
  const dir = t.testdir({ 'conf.yaml': yaml });
  const loaded = await loadConfig({ configDir: dir, env: {}, ...opts });
  return Object.assign(loaded, { dir, lines: loaded.problems.map((p) => formatProblemFrom(p, dir)) });
}

/** 1-based line of the first line containing `needle`. */
export function lineOf(yaml: string, needle: string): number {
  const i = yaml.split('\n').findIndex((l) => l.includes(needle));
  if (i < 0) throw new Error(`"${needle}" not in the YAML`);
  return i + 1;
}
