// OTLP trace protobuf (opentelemetry-proto, trace/v1 and common/v1), written by hand straight into one growing buffer
// per export batch: an ended span becomes its bytes at once, with no object per attribute, no hrtime arrays and no
// JSON text to flatten. Field numbers:
//   ExportTraceServiceRequest { 1 resource_spans }   ResourceSpans { 1 resource, 2 scope_spans }
//   Resource { 1 attributes }   ScopeSpans { 1 scope, 2 spans }   InstrumentationScope { 1 name }
//   Span { 1 trace_id, 2 span_id, 4 parent_span_id, 5 name, 6 kind, 7 start_time_unix_nano (fixed64),
//          8 end_time_unix_nano (fixed64), 9 attributes, 15 status }   Status { 2 message, 3 code }
//   KeyValue { 1 key, 2 value }   AnyValue { 1 string, 2 bool, 3 int (varint int64), 4 double, 5 array }
//   ArrayValue { 1 values }
import type { SpanAttributeValue } from '../request-observers.js';

/** Wire types. */
const VARINT = 0;
const I64 = 1;
export const LEN = 2;

const TWO_32 = 2 ** 32;

/** performance.timeOrigin split so that origin + performance.now() keeps sub-microsecond precision. */
const ORIGIN_MS = Math.floor(performance.timeOrigin);
const ORIGIN_FRACTION = performance.timeOrigin - ORIGIN_MS;

/** Hex digit values by char code (ids are lowercase hex: validated or generated). */
const HEX = new Uint8Array(128);
for (let i = 0; i < 16; i++) HEX['0123456789abcdef'.charCodeAt(i)] = i;

export class ProtoWriter {
  buf: Buffer;
  pos = 0;

  constructor(size: number) {
    this.buf = Buffer.allocUnsafe(size);
  }

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  tag(field: number, wire: number): void {
    this.varint((field << 3) | wire);
  }

  /** A non-negative integer up to 2^53. */
  varint(v: number): void {
    this.ensure(10);
    const b = this.buf;
    while (v >= 0x80) {
      b[this.pos++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    b[this.pos++] = v;
  }

  /** int64 as protobuf encodes it: a negative value is its 64-bit two's complement, 10 bytes. */
  int64(v: number): void {
    if (v >= 0) return this.varint(v);
    let u = BigInt.asUintN(64, BigInt(v));
    this.ensure(10);
    while (u >= 0x80n) {
      this.buf[this.pos++] = Number(u & 0x7fn) | 0x80;
      u >>= 7n;
    }
    this.buf[this.pos++] = Number(u);
  }

  double(v: number): void {
    this.ensure(8);
    this.pos = this.buf.writeDoubleLE(v, this.pos);
  }

  /** A performance.now() instant as fixed64 Unix nanoseconds (past 2^53: built from 32-bit halves). */
  unixNanos(perfNow: number): void {
    const t = ORIGIN_FRACTION + perfNow;
    const whole = Math.floor(t);
    const ms = ORIGIN_MS + whole;
    const msHi = Math.floor(ms / TWO_32);
    const low = (ms - msHi * TWO_32) * 1e6 + Math.round((t - whole) * 1e6);
    const carry = Math.floor(low / TWO_32);
    this.ensure(8);
    this.buf.writeUInt32LE(low - carry * TWO_32, this.pos);
    this.buf.writeUInt32LE(msHi * 1e6 + carry, this.pos + 4);
    this.pos += 8;
  }

  /** A length-delimited UTF-8 string; short ASCII (every name dgp sets) without a call into C++. */
  string(s: string): void {
    const n = s.length;
    if (n < 128) {
      this.ensure(n + 1);
      const b = this.buf;
      let p = this.pos + 1;
      let i = 0;
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        b[p++] = c;
      }
      if (i === n) {
        b[this.pos] = n;
        this.pos = p;
        return;
      }
    }
    const len = Buffer.byteLength(s, 'utf8');
    this.varint(len);
    this.ensure(len);
    this.pos += this.buf.write(s, this.pos, len, 'utf8');
  }

  /** Lowercase hex as length-delimited bytes. */
  hexBytes(hex: string): void {
    const n = hex.length >> 1;
    this.ensure(n + 1);
    const b = this.buf;
    b[this.pos++] = n;
    for (let i = 0; i < n; i++) b[this.pos++] = (HEX[hex.charCodeAt(2 * i)]! << 4) | HEX[hex.charCodeAt(2 * i + 1)]!;
  }

  /** Starts an embedded message: one byte reserved for its length (most are shorter than 128 bytes). */
  fork(): number {
    this.ensure(1);
    return this.pos++;
  }

  /** Ends the message fork() started: writes its length, moving the message when the length needs more than a byte. */
  join(at: number): void {
    const len = this.pos - at - 1;
    if (len < 0x80) {
      this.buf[at] = len;
      return;
    }
    const size = varintSize(len);
    this.ensure(size - 1);
    const b = this.buf;
    b.copyWithin(at + size, at + 1, this.pos);
    this.pos += size - 1;
    let v = len;
    while (v >= 0x80) {
      b[at++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    b[at] = v;
  }
}

/** An AnyValue's fields (every tag dgp writes fits one byte). */
const ANY_STRING = (1 << 3) | LEN;
const ANY_BOOL = (2 << 3) | VARINT;
const ANY_INT = (3 << 3) | VARINT;
const ANY_DOUBLE = (4 << 3) | I64;
const ANY_ARRAY = (5 << 3) | LEN;
const ARRAY_VALUES = (1 << 3) | LEN;

function anyValue(w: ProtoWriter, v: string | number | boolean, limit: number): void {
  w.ensure(11);
  switch (typeof v) {
    case 'string':
      w.buf[w.pos++] = ANY_STRING;
      w.string(v.length > limit ? v.slice(0, limit) : v);
      return;
    case 'boolean':
      w.buf[w.pos++] = ANY_BOOL;
      w.buf[w.pos++] = v ? 1 : 0;
      return;
    default:
      if (Number.isSafeInteger(v)) {
        w.buf[w.pos++] = ANY_INT;
        if (v >= 0 && v < 0x80) w.buf[w.pos++] = v;
        else w.int64(v);
      } else {
        w.buf[w.pos++] = ANY_DOUBLE;
        w.pos = w.buf.writeDoubleLE(v, w.pos);
      }
  }
}

/** Attribute keys are a handful of constants: each one's bytes (`key` field and the `value` tag) are built once. */
const KEY_BYTES = new Map<string, Uint8Array>();

function keyBytes(key: string): Uint8Array {
  let b = KEY_BYTES.get(key);
  if (b === undefined) {
    const w = new ProtoWriter(key.length * 3 + 8);
    w.tag(1, LEN);
    w.string(key);
    w.tag(2, LEN);
    b = w.buf.subarray(0, w.pos);
    if (KEY_BYTES.size < 4096) KEY_BYTES.set(key, b);
  }
  return b;
}

/** One KeyValue as a field `field` (< 16) of the enclosing message. */
export function keyValue(w: ProtoWriter, field: number, key: string, v: SpanAttributeValue, limit: number): void {
  const kb = keyBytes(key);
  w.ensure(kb.length + 4);
  w.buf[w.pos++] = (field << 3) | LEN;
  const kv = w.pos++;
  w.buf.set(kb, w.pos);
  w.pos += kb.length;
  const any = w.pos++;
  if (Array.isArray(v)) {
    w.buf[w.pos++] = ANY_ARRAY;
    const arr = w.fork();
    for (const x of v) {
      w.ensure(2);
      w.buf[w.pos++] = ARRAY_VALUES;
      const item = w.pos++;
      anyValue(w, x, limit);
      w.join(item);
    }
    w.join(arr);
  } else {
    anyValue(w, v, limit);
  }
  w.join(any);
  w.join(kv);
}

/** What an ended span hands the encoder. */
export interface SpanData {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | undefined;
  readonly name: string;
  readonly kind: number;
  readonly startedAt: number;
  readonly endedAt: number;
  /** Attribute names and their values, in parallel; a name appears once. */
  readonly keys: readonly string[];
  readonly values: readonly SpanAttributeValue[];
  /** undefined: status UNSET; a string (maybe empty): ERROR with that message. */
  readonly error: string | undefined;
}

/** One span as a `spans` field (2) of ScopeSpans. */
export function writeSpan(w: ProtoWriter, s: SpanData, limit: number): void {
  w.tag(2, LEN);
  const span = w.fork();
  w.tag(1, LEN);
  w.hexBytes(s.traceId);
  w.tag(2, LEN);
  w.hexBytes(s.spanId);
  if (s.parentSpanId !== undefined) {
    w.tag(4, LEN);
    w.hexBytes(s.parentSpanId);
  }
  w.tag(5, LEN);
  w.string(s.name);
  w.tag(6, VARINT);
  w.varint(s.kind);
  w.tag(7, I64);
  w.unixNanos(s.startedAt);
  w.tag(8, I64);
  w.unixNanos(s.endedAt);
  const keys = s.keys;
  const values = s.values;
  for (let i = 0; i < keys.length; i++) keyValue(w, 9, keys[i]!, values[i]!, limit);
  if (s.error !== undefined) {
    w.tag(15, LEN);
    const status = w.fork();
    if (s.error !== '') {
      w.tag(2, LEN);
      w.string(s.error);
    }
    w.tag(3, VARINT);
    w.varint(2);
    w.join(status);
  }
  w.join(span);
}

export function varintSize(v: number): number {
  let n = 1;
  for (; v >= 0x80; v = Math.floor(v / 0x80)) n++;
  return n;
}
