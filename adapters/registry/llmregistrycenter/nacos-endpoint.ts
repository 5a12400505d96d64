// One Nacos instance → one gateway endpoint, as Pixiu's generateEndpoint does it (spec §3.5, metadata keys `cluster`,
// `id`, `name`, `ip`, `port`, `address`, `llm-meta.*`), with its bugs fixed: the retry policy name matches in any case
// (§8.4 item 30), `llm-meta.provider`, `llm-meta.health_check_interval` and `weight` are read, the api key stays
// out of the endpoint's `meta`.
import { isIPv6 } from 'node:net';
import type { Logger } from 'pino';
import { generateEndpointId, parseDuration, type EndpointInput, type LlmMeta } from '../../../core/index.js';
import type { DesiredEndpoint } from './endpoint-sync.js';

/** The fields of a host in /nacos/v1/ns/instance/list that the adapter reads (Nacos 2.x ServiceInfo JSON). */
export interface NacosInstance {
  instanceId?: string;
  ip?: string;
  port?: number;
  weight?: number;
  healthy?: boolean;
  enabled?: boolean;
  clusterName?: string;
  serviceName?: string;
  metadata?: Record<string, string> | null;
}

// Pixiu's creasty/defaults for a dynamically registered endpoint (pkg/model/base.go, llm.go).
const DEFAULT_ADDRESS = '0.0.0.0';
const DEFAULT_PORT = 8881;
const DEFAULT_HEALTH_CHECK_INTERVAL = 5000;
const RETRY_POLICY_NAMES = ['NoRetry', 'CountBased', 'ExponentialBackoff'];
/** Metadata keys that hold secrets: read into llm_meta, never copied into the endpoint's plain `meta`. */
const SECRET_KEYS = new Set(['llm-meta.api_key', 'llm-meta.api_keys']);

const GO_INT = /^[+-]?\d+$/;

/** The endpoint an instance describes, or undefined when its metadata is missing (Pixiu: nil metadata → skipped). */
export function generateEndpoint(instance: NacosInstance, log?: Logger): EndpointInput & { id: string } | undefined {
  const md = instance.metadata;
  if (md === null || md === undefined || typeof md !== 'object') return undefined;
  const has = (k: string): boolean => Object.hasOwn(md, k) && typeof md[k] === 'string';
  const warn = (msg: string): void => log?.warn({ instance: instance.instanceId, service: instance.serviceName }, msg);

  const address = has('ip') && md.ip !== '' ? md.ip! : instance.ip || DEFAULT_ADDRESS;
  let port = instance.port || DEFAULT_PORT;
  if (has('port')) {
    // Go strconv.Atoi: a malformed port falls back to the instance's port (Pixiu test "Invalid port").
    if (GO_INT.test(md.port!.trim()) && Number(md.port) > 0 && Number(md.port) < 65536) port = Number(md.port);
    else warn(`nacos metadata port "${md.port}" is not a port; the instance port ${port} is used`);
  }
  const domains = has('address') ? md.address!.split(',').map((d) => d.trim()).filter((d) => d !== '') : [];

  const llm: Partial<LlmMeta> = {
    provider: has('llm-meta.provider') ? md['llm-meta.provider']! : '',
    api_key: has('llm-meta.api_key') ? md['llm-meta.api_key']! : '',
    fallback: has('llm-meta.fallback') && md['llm-meta.fallback']!.trim().toLowerCase() === 'true',
    health_check_interval: healthCheckInterval(md['llm-meta.health_check_interval'], warn),
    retry_policy: { name: retryPolicyName(md['llm-meta.retry_policy.name'], warn), config: retryConfig(md['llm-meta.retry_policy.config'], warn) },
  };
  const meta: Record<string, string> = {};
  for (const [k, v] of Object.entries(md)) if (typeof v === 'string' && !SECRET_KEYS.has(k)) meta[k] = v;
  // WeightRandom reads meta.weight as an integer; Nacos weights are floats (default 1.0).
  if (!has('weight') && typeof instance.weight === 'number' && Number.isFinite(instance.weight)) {
    meta.weight = String(Math.max(0, Math.round(instance.weight)));
  }

  const socket_address = { address, port, domains };
  const id =
    (has('id') && md.id !== '' ? md.id : undefined) ??
    (instance.instanceId || undefined) ??
    generateEndpointId(md.cluster ?? '', {
      authority: domains[0] ?? (isIPv6(address) ? `[${address}]:${port}` : `${address}:${port}`),
      provider: llm.provider ?? '',
      apiKey: llm.api_key ?? '',
    });
  return { id, ...(has('name') && md.name !== '' ? { name: md.name } : {}), socket_address, meta, llm_meta: llm };
}

/**
 * The endpoints of one service's instance list: healthy, enabled instances whose metadata names a cluster.
 * `skipped` counts instances left out because their metadata is missing or names no cluster.
 */
export function endpointsOfInstances(service: string, hosts: readonly NacosInstance[], log?: Logger): { endpoints: DesiredEndpoint[]; skipped: number } {
  const out: DesiredEndpoint[] = [];
  let skipped = 0;
  for (const host of hosts) {
    // Pixiu drops `!Enable || !Healthy`; Nacos omits either field only in hand-written responses.
    if (host.enabled === false || host.healthy === false) continue;
    const input = generateEndpoint(host, log);
    if (input === undefined) {
      log?.warn({ service, instance: host.instanceId }, `nacos instance ${host.instanceId ?? ''} of service ${service} has no metadata; skipped`);
      skipped++;
      continue;
    }
    const cluster = host.metadata?.cluster;
    if (!cluster) {
      log?.warn(
        { service, instance: host.instanceId, code: 'DGP_ERR_REGISTRY_BAD_ENTRY' },
        `nacos instance ${input.id} of service ${service} has no metadata "cluster"; skipped (add cluster=<gateway cluster> to its metadata)`,
      );
      skipped++;
      continue;
    }
    out.push({ cluster, input });
  }
  return { endpoints: out, skipped };
}

/** Case-insensitive against the built-in names (Pixiu requires exact case); other names pass through for custom policies. */
function retryPolicyName(raw: string | undefined, warn: (msg: string) => void): string {
  if (raw === undefined || raw.trim() === '') return 'NoRetry';
  const known = RETRY_POLICY_NAMES.find((n) => n.toLowerCase() === raw.trim().toLowerCase());
  if (known === undefined) warn(`nacos metadata llm-meta.retry_policy.name "${raw}" is not a built-in policy (${RETRY_POLICY_NAMES.join(', ')})`);
  return known ?? raw.trim();
}

function retryConfig(raw: string | undefined, warn: (msg: string) => void): Record<string, unknown> {
  if (raw === undefined || raw.trim() === '') return {};
  try {
    const parsed: unknown = JSON.parse(raw);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // reported below, as Pixiu does: a warning and an empty config
  }
  warn(`nacos metadata llm-meta.retry_policy.config is not a JSON object: ${raw}`);
  return {};
}

/** Milliseconds, as an integer ("5000") or a Go duration ("5s"); malformed → Pixiu's default 5000 with a warning. */
function healthCheckInterval(raw: string | undefined, warn: (msg: string) => void): number {
  if (raw === undefined || raw.trim() === '') return DEFAULT_HEALTH_CHECK_INTERVAL;
  const s = raw.trim();
  try {
    return GO_INT.test(s) ? Math.max(0, Number(s)) : parseDuration(s);
  } catch {
    warn(`nacos metadata llm-meta.health_check_interval "${raw}" is not milliseconds or a duration; ${DEFAULT_HEALTH_CHECK_INTERVAL} is used`);
    return DEFAULT_HEALTH_CHECK_INTERVAL;
  }
}
