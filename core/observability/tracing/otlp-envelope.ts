// The part of an OTLP export request around its spans (otlp-proto.ts writes the spans).
import { LEN, ProtoWriter, keyValue, varintSize } from './otlp-proto.js';

/**
 * The bytes of an ExportTraceServiceRequest that come before its spans — one ResourceSpans (resource `service.name`)
 * holding one ScopeSpans (scope `scopeName`). A batch keeps `room` bytes free before its spans; `write` fills the end
 * of them, right up to the spans, and answers where the request starts (no copy of the spans).
 */
export class Envelope {
  readonly room: number;
  readonly #resource: Buffer;
  readonly #scope: Buffer;

  constructor(serviceName: string, scopeName: string) {
    const resource = new ProtoWriter(64);
    keyValue(resource, 1, 'service.name', serviceName, Infinity);
    const scope = new ProtoWriter(32);
    scope.tag(1, LEN);
    scope.string(scopeName);
    this.#resource = resource.buf.subarray(0, resource.pos);
    this.#scope = scope.buf.subarray(0, scope.pos);
    // 3 tags, 5 lengths of at most 5 bytes each.
    this.room = this.#resource.length + this.#scope.length + 32;
  }

  write(buf: Buffer, spansAt: number, spansLength: number): number {
    const r = this.#resource;
    const sc = this.#scope;
    const w = new ProtoWriter(this.room);
    const scopeSpansLength = 1 + varintSize(sc.length) + sc.length + spansLength;
    w.tag(1, LEN);
    w.varint(1 + varintSize(r.length) + r.length + 1 + varintSize(scopeSpansLength) + scopeSpansLength);
    w.tag(1, LEN);
    w.varint(r.length);
    w.pos += r.copy(w.buf, w.pos);
    w.tag(2, LEN);
    w.varint(scopeSpansLength);
    w.tag(1, LEN);
    w.varint(sc.length);
    w.pos += sc.copy(w.buf, w.pos);
    const start = spansAt - w.pos;
    w.buf.copy(buf, start, 0, w.pos);
    return start;
  }
}
