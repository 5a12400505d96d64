// The upstream toolkit (pools, header hygiene, transport error classes) re-exported for the SDK (core/index.ts).
export { UpstreamPools, undiciPoolOptions, freshConnection } from './pools.js';
export { expectSocket, type SocketWatcher } from './socket-reuse.js';
export type { UpstreamPoolOptions, UpstreamPoolStats } from './pools.js';
export {
  HOP_BY_HOP_HEADERS,
  CREDENTIAL_HEADERS,
  CREDENTIAL_QUERY_PARAMS,
  dropCredentialParams,
  connectionTokens,
  stripHopByHop,
  buildUpstreamHeaders,
  filterResponseHeaders,
} from './headers.js';
export type { OutgoingHeaders, UpstreamHeaderOptions } from './headers.js';
export { classifyTransportError, timeoutError, FIRST_BYTE_TIMEOUT_CODE, IDLE_TIMEOUT_CODE } from './transport-errors.js';
export type { TransportFailure, TransportFailureKind } from './transport-errors.js';
export { endpointOrigin, gatewayVersion, gatewayUserAgent } from './origin.js';
