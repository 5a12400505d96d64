// The public plugin SDK: the only core module plugins import (types, statuses, attribute keys, error helpers).
export * from './plugin-api.js';
export type * from './admin/route-api.js';
export { defineFilter, type FilterDefinition } from './define-filter.js';
export * from './attributes.js';
// The end-of-request seam: observers add fields to the audit record and attributes to the request's spans.
export { addRequestObserver, type RequestObserver, type RequestEnd, type AuditRecordEnv, type SpanAttributeValue } from './observability/request-observers.js';
export { StreamedBodyCapture, type BodyCapture } from './observability/audit/body-capture.js';
export * from './services/index.js';
export { DgpError, defineErrorCode, isDgpError, registeredErrorCodes, ERROR_CODES } from './errors.js';
export type { ErrorCode, ErrorCodeInfo, ErrorCodeFactory, PluginErrorCodeInfo, DgpErrorOptions } from './errors.js';
export { parseDuration } from './config/duration.js';
// Pixiu's endpoint identity, for registry adapters that must know an endpoint's id before registering it.
export { generateEndpointId, GENERATED_ID_PREFIX, type EndpointIdMaterial } from './cluster/endpoint-id.js';
export * from './sse/index.js';
export * from './upstream/index.js';
export { upstreamPoolsService } from './upstream/pools-service.js';
export type * from './workers/tasks/types.js';
// Counter increments per label set without prom-client's per-call label hashing.
export { CounterCells, HistogramCells, type CounterCell, type HistogramCell } from './observability/counter-cells.js';
