// What every protocol implements (a watcher that keeps one registry's endpoints in the cluster manager), and one
// registry's config resolved once in create(): durations in ms, the server list parsed, the endpoint source named.
import { DgpError, parseDuration } from '../../../core/index.js';
import type { RegistryConfig } from './schema.js';
import { parseServers } from './servers.js';

export interface RegistryWatcher {
  /** Starts watching; resolves after the first sync attempt (bounded by the registry's timeout), never rejects. */
  start(): Promise<void>;
  /** Stops every loop and connection; endpoints stay registered (the next generation carries them over). */
  stop(): Promise<void>;
}

export interface ResolvedRegistry {
  readonly name: string;
  readonly protocol: 'nacos' | 'etcd';
  /** `nacos:<name>` or `etcd:<name>`: the `source` of every endpoint this registry registers. */
  readonly source: string;
  readonly servers: readonly string[];
  readonly address: string;
  readonly timeoutMs: number;
  readonly pollIntervalMs: number;
  readonly reconnectMinMs: number;
  readonly reconnectMaxMs: number;
  readonly group: string;
  readonly namespace: string;
  readonly username: string;
  readonly password: string;
  readonly contextPath: string;
  readonly keyPrefix: string;
}

const DEFAULT_PORTS = { nacos: 8848, etcd: 2379 } as const;

export function resolveRegistry(name: string, cfg: Readonly<RegistryConfig>): ResolvedRegistry {
  const at = `registries.${name}`;
  const ms = (value: string | number, field: string): number => {
    const v = parseDuration(value, `${at}.${field}`);
    if (v <= 0) throw new DgpError('DGP_ERR_PLUGIN_CONFIG', `${at}.${field} must be greater than 0`, { hint: 'write e.g. 5s' });
    return v;
  };
  const reconnectMinMs = ms(cfg.reconnect_min, 'reconnect_min');
  const reconnectMaxMs = Math.max(reconnectMinMs, ms(cfg.reconnect_max, 'reconnect_max'));
  const contextPath = `/${cfg.context_path.replace(/^\/+|\/+$/g, '')}`.replace(/^\/$/, '');
  return Object.freeze({
    name,
    protocol: cfg.protocol,
    source: `${cfg.protocol}:${name}`,
    servers: Object.freeze(parseServers(cfg.address, DEFAULT_PORTS[cfg.protocol], `${at}.address`)),
    address: cfg.address,
    timeoutMs: ms(cfg.timeout, 'timeout'),
    pollIntervalMs: ms(cfg.poll_interval, 'poll_interval'),
    reconnectMinMs,
    reconnectMaxMs,
    group: cfg.group,
    namespace: cfg.namespace,
    username: cfg.username,
    password: cfg.password,
    contextPath,
    keyPrefix: cfg.key_prefix,
  });
}
