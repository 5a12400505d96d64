// The compiled model list: a requested model name resolves to its group by exact name, then alias, then the first
// `*` pattern in list order (LiteLLM model_list, Envoy AI Gateway model match). Also what GET /v1/models lists.
import type { ClusterManagerApi } from '../../../core/index.js';
import { createPriceBook, type LlmUsage } from '../../../core/llm/index.js';
import type { DeploymentConfig, ModelGroupConfig } from './model-schema.js';

export type GroupStrategy = 'weighted' | 'least_request' | 'latency' | 'cost';

export interface Deployment {
  /** Undefined: the route's cluster. */
  readonly cluster: string | undefined;
  readonly endpoint: string | undefined;
  readonly model: string | undefined;
  readonly weight: number;
  readonly priority: number;
}

export interface ModelGroup {
  readonly name: string;
  readonly aliases: readonly string[];
  readonly pattern: RegExp | undefined;
  readonly strategy: GroupStrategy;
  readonly deployments: readonly Deployment[];
}

export interface GroupMatch {
  readonly group: ModelGroup;
  /** How the name matched: the group name, an alias, or a pattern. */
  readonly via: 'name' | 'alias' | 'pattern';
}

function globToRegExp(glob: string): RegExp {
  const body = glob.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${body}$`, 's');
}

function deploymentOf(d: DeploymentConfig): Deployment {
  return Object.freeze({ cluster: d.cluster, endpoint: d.endpoint, model: d.model, weight: d.weight ?? 1, priority: d.priority ?? 0 });
}

export class ModelGroups {
  readonly groups: readonly ModelGroup[];
  readonly #exact = new Map<string, GroupMatch>();
  readonly #patterns: ModelGroup[] = [];

  constructor(config: readonly ModelGroupConfig[]) {
    this.groups = config.map((g) =>
      Object.freeze({
        name: g.model_name,
        aliases: Object.freeze([...(g.aliases ?? [])]),
        pattern: g.model_name.includes('*') ? globToRegExp(g.model_name) : undefined,
        strategy: g.strategy ?? 'weighted',
        deployments: Object.freeze(g.deployments.map(deploymentOf)),
      }),
    );
    for (const group of this.groups) {
      if (group.pattern === undefined && !this.#exact.has(group.name)) this.#exact.set(group.name, { group, via: 'name' });
      if (group.pattern !== undefined) this.#patterns.push(group);
    }
    // Names first, then aliases: an alias never shadows another group's name.
    for (const group of this.groups) for (const a of group.aliases) if (!this.#exact.has(a)) this.#exact.set(a, { group, via: 'alias' });
  }

  get empty(): boolean {
    return this.groups.length === 0;
  }

  resolve(model: string | undefined): GroupMatch | undefined {
    if (model === undefined) return undefined;
    const exact = this.#exact.get(model);
    if (exact !== undefined) return exact;
    for (const group of this.#patterns) if (group.pattern!.test(model)) return { group, via: 'pattern' };
    return undefined;
  }

  /** Every name a client may send that is not a pattern: each group's name, then its aliases, in list order, each once. */
  listedNames(): Array<{ id: string; group: ModelGroup }> {
    const seen = new Map<string, ModelGroup>();
    for (const g of this.groups) {
      if (g.pattern === undefined && !seen.has(g.name)) seen.set(g.name, g);
      for (const a of g.aliases) if (!seen.has(a)) seen.set(a, g);
    }
    return [...seen].map(([id, group]) => ({ id, group }));
  }
}

/**
 * Deployments naming a cluster or endpoint this generation does not have: logged once at create (a registry may still
 * add them later, so it is not an error); at request time the trace notes them `not_found`.
 */
export function missingDeployments(groups: ModelGroups, clusters: Pick<ClusterManagerApi, 'hasCluster' | 'getEndpoint'>): string[] {
  const out: string[] = [];
  for (const g of groups.groups) {
    for (const d of g.deployments) {
      if (d.cluster !== undefined && !clusters.hasCluster(d.cluster)) out.push(`model group "${g.name}": cluster "${d.cluster}" does not exist`);
      else if (d.cluster !== undefined && d.endpoint !== undefined && clusters.getEndpoint(d.cluster, d.endpoint) === undefined) {
        out.push(`model group "${g.name}": cluster "${d.cluster}" has no endpoint "${d.endpoint}"`);
      }
    }
  }
  return out;
}

/** A reference request: a million input and a million output tokens. */
const REFERENCE: LlmUsage = Object.freeze({ input: 1_000_000, output: 1_000_000, cache_read: 0, cache_write: 0, reasoning: 0, total: 2_000_000 });

/** Prices for strategy: cost, from the bundled price book and the optional override file (read once, at create). */
export function deploymentPrices(overrides: string | undefined, configDir: string): (provider: string, model: string) => number | undefined {
  const book = createPriceBook({ ...(overrides === undefined ? {} : { overrides }), configDir });
  return (provider, model) => {
    const p = book.price(provider, model, REFERENCE);
    return p.known ? p.nanos : undefined;
  };
}
