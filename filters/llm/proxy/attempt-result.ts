// What one upstream attempt yields (committed, a retryable status, failed, cancelled), the settings it runs under
// and what it needs from its AttemptScope; shared by the send phase (attempt.ts), the body phase (attempt-body.ts)
// and the strategy that decides on a retry.
import type { TransportFailure } from '../../../core/index.js';
import type { RetryOn } from './retry-on.js';
import type { BodySource, UpstreamCall } from './upstream-call.js';

export interface AttemptSettings {
  firstByteTimeout: number;
  idleTimeout: number;
  retryOn: RetryOn;
}

/** A response the proxy can hand to the client: a 2xx, or a status retry_on does not cover. */
export interface Committed {
  kind: 'committed';
  status: number;
  headers: Record<string, string | string[]>;
  firstByteAt: number;
  /** A Buffer, or the open body and the first chunk already read from it. */
  body: Buffer | { source: BodySource; first: Buffer | undefined; sse: boolean };
}

/** A status retry_on covers; the body is held so the last one can be returned when every attempt fails. */
export interface RetryableStatus {
  kind: 'status';
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
  firstByteAt: number;
}

export interface Failed {
  kind: 'failed';
  /** Status of the response head when one arrived (e.g. a 200 whose stream was empty or reset), else 0. */
  status: number;
  errorType: 'connect_error' | 'network_error' | 'timeout' | 'bad_response' | 'empty_stream' | 'stream_error';
  retryable: boolean;
  timedOut: boolean;
  message: string;
}

export interface Cancelled {
  kind: 'cancelled';
  status: number;
}

export type AttemptResult = Committed | RetryableStatus | Failed | Cancelled;

export function transportFailed(f: TransportFailure, retryOn: RetryOn, status = 0): Failed {
  const retryable = f.kind === 'connect_error' ? retryOn.connectError : f.kind === 'timeout' ? retryOn.timeout : retryOn.reset;
  return { kind: 'failed', status, errorType: f.kind, retryable, timedOut: f.timedOut, message: `${f.code}: ${f.message}` };
}

/** What an attempt needs from the request's AttemptScope (attempt-scope.ts). */
export interface AttemptControl {
  /** The AttemptScope aborts this call when the client goes away or the deadline passes. */
  track(call: UpstreamCall): void;
  cancelledBy(): 'client' | 'deadline' | undefined;
  /** The request met the keep-alive race and is sent again on a new connection (`code`: how the socket closed). */
  resent?(code: string): void;
}
