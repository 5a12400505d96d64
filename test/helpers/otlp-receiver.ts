// An in-test OTLP/HTTP trace receiver: decodes what a collector would (ExportTraceServiceRequest in protobuf, as
// opentelemetry-proto trace/v1 defines it) into the OTLP/JSON shape — hex ids, `kind` as the enum
// number, attributes as {key, value: {stringValue | intValue | doubleValue | boolValue | arrayValue}}.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Test } from 'tap';

export type AnyValue = { stringValue?: string; intValue?: string | number; doubleValue?: number; boolValue?: boolean; arrayValue?: { values: AnyValue[] } };
export interface KeyValue {
  key: string;
  value: AnyValue;
}
export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  status?: { code?: number; message?: string };
  attributes: KeyValue[];
}
export interface OtlpResource {
  attributes: KeyValue[];
}

/** A protobuf message as (field number → values): varints and fixed64 as bigint, length-delimited as bytes. */
type Fields = Map<number, Array<bigint | Buffer>>;

function readVarint(b: Buffer, at: { i: number }): bigint {
  let v = 0n;
  for (let shift = 0n; ; shift += 7n) {
    if (at.i >= b.length) throw new Error('protobuf: truncated varint');
    const byte = b[at.i++]!;
    v |= BigInt(byte & 0x7f) << shift;
    if (byte < 0x80) return v;
    if (shift > 63n) throw new Error('protobuf: varint too long');
  }
}

function fields(b: Buffer): Fields {
  const out: Fields = new Map();
  const at = { i: 0 };
  while (at.i < b.length) {
    const key = Number(readVarint(b, at));
    const field = key >>> 3;
    let v: bigint | Buffer;
    switch (key & 7) {
      case 0:
        v = readVarint(b, at);
        break;
      case 1:
        v = b.readBigUInt64LE(at.i);
        at.i += 8;
        break;
      case 2: {
        const len = Number(readVarint(b, at));
        if (at.i + len > b.length) throw new Error('protobuf: truncated field');
        v = b.subarray(at.i, at.i + len);
        at.i += len;
        break;
      }
      case 5:
        v = BigInt(b.readUInt32LE(at.i));
        at.i += 4;
        break;
      default:
        throw new Error(`protobuf: wire type ${key & 7}`);
    }
    const list = out.get(field) ?? [];
    list.push(v);
    out.set(field, list);
  }
  return out;
}

const bytes = (f: Fields, n: number): Buffer[] => (f.get(n) ?? []) as Buffer[];
const one = (f: Fields, n: number): bigint | Buffer | undefined => f.get(n)?.at(-1);
const str = (f: Fields, n: number): string | undefined => (one(f, n) as Buffer | undefined)?.toString('utf8');

function anyValue(b: Buffer): AnyValue {
  const f = fields(b);
  if (f.has(1)) return { stringValue: str(f, 1)! };
  if (f.has(2)) return { boolValue: one(f, 2) === 1n };
  if (f.has(3)) return { intValue: String(BigInt.asIntN(64, one(f, 3) as bigint)) };
  if (f.has(4)) {
    const d = Buffer.alloc(8);
    d.writeBigUInt64LE(one(f, 4) as bigint);
    return { doubleValue: d.readDoubleLE() };
  }
  if (f.has(5)) return { arrayValue: { values: bytes(fields(one(f, 5) as Buffer), 1).map(anyValue) } };
  throw new Error('protobuf: AnyValue without a value this receiver knows');
}

const keyValues = (list: Buffer[]): KeyValue[] =>
  list.map((kv) => {
    const f = fields(kv);
    return { key: str(f, 1)!, value: anyValue(one(f, 2) as Buffer) };
  });

/** ExportTraceServiceRequest (protobuf) → its resources and spans. */
export function decodeTraceRequest(body: Buffer): { resources: OtlpResource[]; spans: OtlpSpan[] } {
  const resources: OtlpResource[] = [];
  const spans: OtlpSpan[] = [];
  for (const rs of bytes(fields(body), 1)) {
    const r = fields(rs);
    resources.push({ attributes: keyValues(bytes(fields((one(r, 1) as Buffer | undefined) ?? Buffer.alloc(0)), 1)) });
    for (const ss of bytes(r, 2)) {
      for (const sb of bytes(fields(ss), 2)) {
        const s = fields(sb);
        const parent = one(s, 4) as Buffer | undefined;
        const status = one(s, 15) as Buffer | undefined;
        const st = status === undefined ? undefined : fields(status);
        spans.push({
          traceId: (one(s, 1) as Buffer).toString('hex'),
          spanId: (one(s, 2) as Buffer).toString('hex'),
          ...(parent !== undefined && parent.length > 0 ? { parentSpanId: parent.toString('hex') } : {}),
          name: str(s, 5) ?? '',
          kind: Number(one(s, 6) ?? 0n),
          startTimeUnixNano: String(one(s, 7) ?? 0n),
          endTimeUnixNano: String(one(s, 8) ?? 0n),
          attributes: keyValues(bytes(s, 9)),
          ...(st === undefined ? {} : { status: { code: Number(one(st, 3) ?? 0n), ...(st.has(2) ? { message: str(st, 2) } : {}) } }),
        });
      }
    }
  }
  return { resources, spans };
}

export function valueOf(v: AnyValue): unknown {
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.arrayValue !== undefined) return v.arrayValue.values.map(valueOf);
  return undefined;
}

export const attrs = (s: OtlpSpan): Record<string, unknown> => Object.fromEntries(s.attributes.map((a) => [a.key, valueOf(a.value)]));

export interface OtlpReceiver {
  url: string;
  spans: OtlpSpan[];
  resources: OtlpResource[];
  contentTypes: string[];
  /** Each export request's body as received. */
  bodies: Buffer[];
  /** Export requests received. */
  requests: number;
  /** Why requests were refused (not protobuf, or not decodable): a test expects none. */
  errors: string[];
}

/**
 * Listens on 127.0.0.1:0 until the test ends. `answer` decides the reply (default 200 `{}`); an answer of 'hang'
 * never replies, so the export under way stays under way.
 */
export async function otlpReceiver(t: Test, answer: () => number | 'hang' = () => 200): Promise<OtlpReceiver> {
  const rx: OtlpReceiver = { url: '', spans: [], resources: [], contentTypes: [], bodies: [], requests: 0, errors: [] };
  const hanging = new Set<ServerResponse>();
  const srv = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => {
      rx.requests++;
      const type = String(req.headers['content-type']);
      rx.contentTypes.push(type);
      let got: ReturnType<typeof decodeTraceRequest>;
      try {
        if (!type.startsWith('application/x-protobuf')) throw new Error(`content-type ${type}`);
        const body = Buffer.concat(chunks);
        rx.bodies.push(body);
        got = decodeTraceRequest(body);
      } catch (err) {
        rx.errors.push((err as Error).message);
        res.writeHead(400).end();
        return;
      }
      rx.resources.push(...got.resources);
      rx.spans.push(...got.spans);
      const a = answer();
      if (a === 'hang') {
        hanging.add(res);
        return;
      }
      // An empty ExportTraceServiceResponse: full success.
      res.writeHead(a, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  t.teardown(
    () =>
      new Promise<void>((r) => {
        for (const res of hanging) res.destroy();
        srv.closeAllConnections();
        srv.close(() => r());
      }),
  );
  rx.url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}/v1/traces`;
  return rx;
}
