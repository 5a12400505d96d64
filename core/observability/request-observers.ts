// The seam through which layers above the host add their facts to what the host records at the end of a request: the
// audit record and the request's SERVER span. The host knows HTTP (route, status, attempts, timings); the LLM layer
// knows keys, models, tokens and cost, and registers an observer when it is loaded (core/llm/observe). The host calls
// every observer once per request, after the chain's onComplete hooks ran, so streams are over and usage is final.
import type { RequestContext } from '../plugin-api.js';

/** A span attribute value, as OpenTelemetry takes it. */
export type SpanAttributeValue = string | number | boolean | string[] | number[];

/** What the audit writer offers an observer while it fills a record. */
export interface AuditRecordEnv {
  /** `hmac-sha256:<hex>` of `data` with audit.hmac_secret; undefined when no secret is configured. */
  hmac(data: string | Buffer): string | undefined;
  /** audit.bodies.mode: whether bodies are wanted (per_key: the observer decides from the caller's key). */
  readonly bodies: 'off' | 'all' | 'per_key';
  /** audit.bodies.max_bytes. */
  readonly maxBodyBytes: number;
}

/** What the host knows about the request when it ends. */
export interface RequestEnd {
  /** The status the client got (499: the client left; 504: the connection manager timed out). */
  readonly status: number;
  /** The coded error of a local reply, when there was one. */
  readonly errorCode: string | undefined;
  /** The answer was streamed (its body was not one buffer). */
  readonly streamed: boolean;
  readonly durationMs: number;
}

export interface RequestObserver {
  /**
   * audit.bodies per_key: whether this request's bodies go in its audit record (asked when a streamed answer starts,
   * so its bytes can be kept as they go; the request and a unary answer are read at the end).
   */
  wantsBodies?(ctx: RequestContext): boolean;
  /** Adds fields to the request's audit record; `record` already holds the host's fields, which it may refine. */
  audit?(ctx: RequestContext, end: RequestEnd, record: Record<string, unknown>, env: AuditRecordEnv): void;
  /**
   * Adds attributes to the request's sampled spans: `set` writes on the SERVER span and on the CLIENT span of the
   * attempt whose answer was returned. Called only for sampled requests.
   */
  span?(ctx: RequestContext, end: RequestEnd, set: (name: string, value: SpanAttributeValue) => void): void;
}

const OBSERVERS = Symbol.for('dgp-gateway.request-observers');

/** The process-wide list; on globalThis, so a plugin bundling its own SDK copy reaches the host's list. */
function observers(): Map<string, RequestObserver> {
  const g = globalThis as { [OBSERVERS]?: Map<string, RequestObserver> };
  return (g[OBSERVERS] ??= new Map());
}

/** Registers (or replaces, by name) an observer of every request's end. */
export function addRequestObserver(name: string, observer: RequestObserver): void {
  observers().set(name, observer);
}

/** The registered observers, in registration order. */
export function requestObservers(): Iterable<RequestObserver> {
  return observers().values();
}
