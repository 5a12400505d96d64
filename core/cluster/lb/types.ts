// The load-balancing policy contract: a policy is built once per cluster snapshot over its healthy endpoints and then
// picks per request in O(1) or O(log n) without rebuilding anything.
import type { Logger } from 'pino';
import type { EndpointPricer, EndpointStatsView, EndpointView, HashSource } from '../../cluster-api.js';
import type { ConsistentSpec, LbPolicyName } from '../types.js';

export interface LbPolicy {
  readonly name: LbPolicyName;
  /** undefined when no endpoint is healthy. */
  pick(src: HashSource): EndpointView | undefined;
}

/** Pixiu's per-cluster `PrePickEndpointIndex` (a uint32): one object per cluster name, shared across snapshots and reloads. */
export interface RoundRobinCursor {
  value: number;
}

export interface PolicyContext {
  /** The candidates: healthy endpoints in list order. */
  readonly healthy: readonly EndpointView[];
  /** Every endpoint of the cluster (node identities are decided over all of them, so health flaps rename nothing). */
  readonly all: readonly EndpointView[];
  readonly consistent: ConsistentSpec;
  readonly cursor: RoundRobinCursor;
  /** A uniform number in [0, 1); Math.random unless a test injects a seeded one. */
  readonly random: () => number;
  readonly log: Logger;
  readonly cluster: string;
  /** Live load and latency of an endpoint (LeastRequest, LatencyEwma); absent: every endpoint looks idle. */
  readonly stats?: (ep: EndpointView) => EndpointStatsView;
  /** The price of serving this request at an endpoint (CostAware); undefined = not priced. Absent: nothing is priced. */
  readonly price?: EndpointPricer;
}
