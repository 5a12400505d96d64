// Typed per-request attribute keys, and the well-known keys filters share (Pixiu's hc.Params, typed).
import type { Attribute } from './request-api.js';
import type { SpanAttributeValue } from './observability/request-observers.js';
import type { OutgoingHeaders } from './upstream/headers.js';

/**
 * The slot counter lives on globalThis, not in this module: a plugin that bundles its own copy of the SDK gets slots
 * that never collide with the host's (its keys stay distinct, as they are by identity).
 */
const SLOTS = Symbol.for('dgp-gateway.attribute-slots');

/** How many slots are taken so far: a request's slot array made this long never grows while filters set values. */
export function attributeSlotCount(): number {
  return (globalThis as { [SLOTS]?: number })[SLOTS] ?? 0;
}

export function defineAttribute<T>(name: string): Attribute<T> {
  // The slot lets the host keep a request's values in an array instead of a Map.
  const g = globalThis as { [SLOTS]?: number };
  const slot = g[SLOTS] ?? 0;
  g[SLOTS] = slot + 1;
  return Object.freeze({ name, slot }) as Attribute<T>;
}

/** One upstream try, recorded by dgp.filter.llm.proxy in order across every endpoint tried. */
export interface UpstreamAttempt {
  endpoint_id: string;
  address: string;
  cluster: string;
  /** HTTP status, 0 when no response arrived. */
  status: number;
  success: boolean;
  /** '' on success; 'network_error' | 'status_code_error' | 'timeout' | 'aborted' | ... otherwise. */
  error_type: string;
  duration_ms: number;
}

export interface TokenUsage {
  model: string;
  prompt: number;
  completion: number;
  total: number;
  cached: number;
  reasoning: number;
  source: 'upstream' | 'estimated';
}

/** Set by dgp.filter.ai.kvcache (Pixiu `llm_preferred_endpoint_id`), read by dgp.filter.llm.proxy. */
export const PreferredEndpointId = defineAttribute<string>('llm_preferred_endpoint_id');
/** Set by dgp.filter.llm.proxy (Pixiu `llm_upstream_attempts`). */
export const UpstreamAttempts = defineAttribute<UpstreamAttempt[]>('llm_upstream_attempts');
/** The endpoint whose response is being returned. */
export const SelectedEndpoint = defineAttribute<{ cluster: string; id: string; address: string }>('selected_endpoint');
/** performance.now() when the first upstream response byte (headers) arrived for the returned attempt. */
export const UpstreamFirstByteAt = defineAttribute<number>('upstream_first_byte_at');

/**
 * Set by a filter whose other consumers still need this request's upstream answer after its own client has gone
 * (the response cache's coalesced followers). Asked once, when the client goes away: true keeps the committed
 * upstream call going (its idle timeout and the proxy deadline still apply); the filter then drains the response body
 * itself (the host calls its return() and waits for it).
 */
export const UpstreamHold = defineAttribute<() => boolean>('upstream_hold');
/** Token usage found by dgp.filter.llm.tokenizer. */
export const LlmTokenUsage = defineAttribute<TokenUsage>('llm_token_usage');
/** The model the client asked for (from the body), when known. */
export const RequestModel = defineAttribute<string>('request_model');
/** Extra fields filters want on the access-log line. */
export const AccessLogFields = defineAttribute<Record<string, unknown>>('access_log_fields');

/**
 * Adds fields to the request's access-log line. The first filter's object is this request's own and is extended in
 * place after that (no copy per filter); a frozen one is copied.
 */
export function addAccessLogFields(ctx: { get<T>(a: Attribute<T>): T | undefined; set<T>(a: Attribute<T>, v: T): void }, fields: Record<string, unknown>): void {
  const earlier = ctx.get(AccessLogFields);
  if (earlier === undefined) ctx.set(AccessLogFields, fields);
  else if (Object.isExtensible(earlier)) Object.assign(earlier, fields);
  else ctx.set(AccessLogFields, { ...earlier, ...fields });
}
/**
 * The request's admission priority (higher is served first when it has to queue), from the caller's identity: set by
 * dgp.filter.llm.keys from the key's `priority`, read by the admission queue (docs/admission.md).
 */
export const AdmissionPriority = defineAttribute<number>('admission_priority');

/** The CLIENT span of one upstream attempt. */
export interface AttemptSpanApi {
  /** The attempt is over (its record as UpstreamAttempts holds it); the span of a successful one ends with the request. */
  end(attempt: UpstreamAttempt): void;
}

/** The spans of a sampled request (tracing: docs/tracing.md). */
export interface RequestTraceApi {
  readonly traceId: string;
  /** Sets an attribute on the request's SERVER span. */
  set(name: string, value: SpanAttributeValue): void;
  /**
   * Starts the CLIENT span of one upstream attempt, named and described by the caller (GenAI conventions: `chat
   * {model}`); with tracing.propagate_to_upstream, writes its traceparent into `headers`.
   */
  startAttempt(headers: OutgoingHeaders, name: string, attributes: Record<string, SpanAttributeValue>): AttemptSpanApi;
}

/** Set by the host on sampled requests only: absent means no span to add to (and nothing to allocate). */
export const RequestTraceAttr = defineAttribute<RequestTraceApi>('dgp.request_trace');
