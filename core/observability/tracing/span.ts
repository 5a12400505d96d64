// One span of a sampled request: its ids, name, times, attributes (last write wins) and status, handed to the export
// queue when it ends, where it becomes OTLP bytes at once (otlp-proto.ts) and is garbage right after. The
// OpenTelemetry SDK's spans, kept alive until the next batch, with a transformer building objects per attribute, cost a
// sampled request more than the whole budget of tracing (docs/performance.md).
import { randomFillSync } from 'node:crypto';
import type { SpanAttributeValue } from '../request-observers.js';
import type { SpanData } from './otlp-proto.js';

export const SPAN_KIND_SERVER = 2;
export const SPAN_KIND_CLIENT = 3;

/** Random ids from a pooled buffer (one getrandom call per 256 ids); never all zero, as W3C trace context requires. */
const POOL = Buffer.allocUnsafe(4096);
let poolAt = POOL.length;

export function randomHexId(bytes: 8 | 16): string {
  for (;;) {
    if (poolAt + bytes > POOL.length) {
      randomFillSync(POOL);
      poolAt = 0;
    }
    const id = POOL.toString('hex', poolAt, poolAt + bytes);
    poolAt += bytes;
    if (!/^0+$/.test(id)) return id;
  }
}

/** Where ended spans go (the bounded export queue). */
export interface SpanSink {
  push(span: SpanData): void;
}

export class RecordedSpan implements SpanData {
  readonly spanId = randomHexId(8);
  /** Attribute names and values, in parallel (a span has a few dozen: a scan beats hashing, and nothing to iterate). */
  readonly keys: string[] = [];
  readonly values: SpanAttributeValue[] = [];
  error: string | undefined;
  endedAt = -1;

  constructor(
    private readonly sink: SpanSink,
    readonly traceId: string,
    readonly parentSpanId: string | undefined,
    readonly name: string,
    readonly kind: number,
    /** performance.now() */
    readonly startedAt: number,
  ) {}

  set(key: string, value: SpanAttributeValue): void {
    if (this.endedAt >= 0) return;
    const i = this.keys.indexOf(key);
    if (i === -1) {
      this.keys.push(key);
      this.values.push(value);
    } else {
      this.values[i] = value;
    }
  }

  /** Status ERROR, with a message when there is one. */
  fail(message: string | undefined): void {
    this.error = message ?? '';
  }

  end(): void {
    if (this.endedAt >= 0) return;
    this.endedAt = performance.now();
    this.sink.push(this);
  }
}
