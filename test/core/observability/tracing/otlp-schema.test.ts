// What dgp exports, read by a decoder that is not ours: protobufjs with the OTLP trace messages declared from
// opentelemetry-proto (collector/trace/v1, trace/v1, common/v1, resource/v1: message and field numbers and types as
// the spec has them). A field number, wire type or nesting we got wrong in both our encoder and the test receiver's
// decoder would still agree with itself; here it would not decode, or decode to other values.
import protobuf from 'protobufjs';
import { pino } from 'pino';
import { Counter } from 'prom-client';
import t from 'tap';
import { OtlpHttpExport } from '../../../../core/observability/tracing/otlp-export.js';
import { RecordedSpan, SPAN_KIND_CLIENT, SPAN_KIND_SERVER, randomHexId } from '../../../../core/observability/tracing/span.js';
import { attrs, otlpReceiver } from '../../../helpers/otlp-receiver.js';

const OTLP = {
  nested: {
    ExportTraceServiceRequest: { fields: { resourceSpans: { rule: 'repeated', type: 'ResourceSpans', id: 1 } } },
    ResourceSpans: { fields: { resource: { type: 'Resource', id: 1 }, scopeSpans: { rule: 'repeated', type: 'ScopeSpans', id: 2 }, schemaUrl: { type: 'string', id: 3 } } },
    Resource: { fields: { attributes: { rule: 'repeated', type: 'KeyValue', id: 1 }, droppedAttributesCount: { type: 'uint32', id: 2 } } },
    ScopeSpans: { fields: { scope: { type: 'InstrumentationScope', id: 1 }, spans: { rule: 'repeated', type: 'Span', id: 2 }, schemaUrl: { type: 'string', id: 3 } } },
    InstrumentationScope: { fields: { name: { type: 'string', id: 1 }, version: { type: 'string', id: 2 }, attributes: { rule: 'repeated', type: 'KeyValue', id: 3 } } },
    Span: {
      fields: {
        traceId: { type: 'bytes', id: 1 }, spanId: { type: 'bytes', id: 2 }, traceState: { type: 'string', id: 3 }, parentSpanId: { type: 'bytes', id: 4 },
        flags: { type: 'fixed32', id: 16 }, name: { type: 'string', id: 5 }, kind: { type: 'int32', id: 6 },
        startTimeUnixNano: { type: 'fixed64', id: 7 }, endTimeUnixNano: { type: 'fixed64', id: 8 },
        attributes: { rule: 'repeated', type: 'KeyValue', id: 9 }, droppedAttributesCount: { type: 'uint32', id: 10 },
        droppedEventsCount: { type: 'uint32', id: 12 }, droppedLinksCount: { type: 'uint32', id: 14 }, status: { type: 'Status', id: 15 },
      },
    },
    Status: { fields: { message: { type: 'string', id: 2 }, code: { type: 'int32', id: 3 } } },
    KeyValue: { fields: { key: { type: 'string', id: 1 }, value: { type: 'AnyValue', id: 2 } } },
    AnyValue: {
      oneofs: { value: { oneof: ['stringValue', 'boolValue', 'intValue', 'doubleValue', 'arrayValue', 'kvlistValue', 'bytesValue'] } },
      fields: {
        stringValue: { type: 'string', id: 1 }, boolValue: { type: 'bool', id: 2 }, intValue: { type: 'int64', id: 3 }, doubleValue: { type: 'double', id: 4 },
        arrayValue: { type: 'ArrayValue', id: 5 }, kvlistValue: { type: 'KeyValueList', id: 6 }, bytesValue: { type: 'bytes', id: 7 },
      },
    },
    ArrayValue: { fields: { values: { rule: 'repeated', type: 'AnyValue', id: 1 } } },
    KeyValueList: { fields: { values: { rule: 'repeated', type: 'KeyValue', id: 1 } } },
  },
};

const Request = protobuf.Root.fromJSON(OTLP).lookupType('ExportTraceServiceRequest');

type Any = { stringValue?: string; boolValue?: boolean; intValue?: string; doubleValue?: number; arrayValue?: { values?: Any[] } };
const plain = (v: Any): unknown =>
  v.stringValue ?? v.boolValue ?? (v.intValue !== undefined ? Number(v.intValue) : undefined) ?? v.doubleValue ?? (v.arrayValue?.values ?? []).map(plain);

t.test('the exported request decodes with protobufjs and the OTLP schema to what the receiver saw', async (t) => {
  const rx = await otlpReceiver(t);
  const x = new OtlpHttpExport(
    { url: rx.url, headers: {}, timeout: 2000, maxQueue: 64, maxBatch: 64, delay: 60_000, serviceName: 'svc', scopeName: 'dgp-gateway', limit: 4096 },
    new Counter({ name: 'd', help: 'd', registers: [] }),
    new Counter({ name: 'f', help: 'f', registers: [] }),
    pino({ level: 'silent' }),
  );
  const traceId = randomHexId(16);
  const server = new RecordedSpan(x, traceId, undefined, 'POST /v1/chat/completions', SPAN_KIND_SERVER, performance.now());
  const client = new RecordedSpan(x, traceId, server.spanId, 'chat gpt-4o-mini', SPAN_KIND_CLIENT, performance.now());
  const set = { 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.usage.input_tokens': 24, 'dgp.cost': 0.000125, 'dgp.cached': false, 'gen_ai.response.finish_reasons': ['stop'], big: 2 ** 40 + 3, neg: -7, 'naïve ☃': 'ü😀' };
  for (const [k, v] of Object.entries(set)) client.set(k, v);
  client.fail('upstream_timeout');
  client.end();
  server.set('http.response.status_code', 200);
  server.end();
  await x.flush();
  await x.close();
  t.equal(rx.bodies.length, 1);
  const msg = Request.toObject(Request.decode(rx.bodies[0]!), { longs: String, bytes: String, defaults: false }) as {
    resourceSpans: Array<{ resource: { attributes: Array<{ key: string; value: Any }> }; scopeSpans: Array<{ scope: { name: string }; spans: Array<Record<string, unknown> & { attributes?: Array<{ key: string; value: Any }> }> }> }>;
  };
  t.equal(msg.resourceSpans.length, 1);
  const rs = msg.resourceSpans[0]!;
  t.same(rs.resource.attributes.map((a) => [a.key, plain(a.value)]), [['service.name', 'svc']]);
  t.equal(rs.scopeSpans[0]!.scope.name, 'dgp-gateway');
  const spans = rs.scopeSpans[0]!.spans;
  t.equal(spans.length, 2);
  const hex = (b64: unknown): string => Buffer.from(String(b64), 'base64').toString('hex');
  for (const [i, s] of spans.entries()) {
    const seen = rx.spans[i]!;
    t.equal(hex(s.traceId), seen.traceId, 'trace_id: 16 bytes');
    t.equal(hex(s.spanId), seen.spanId, 'span_id: 8 bytes');
    t.equal(s.parentSpanId === undefined ? undefined : hex(s.parentSpanId), seen.parentSpanId);
    t.equal(s.name, seen.name);
    t.equal(s.kind, seen.kind);
    t.equal(s.startTimeUnixNano, seen.startTimeUnixNano, 'fixed64 start');
    t.equal(s.endTimeUnixNano, seen.endTimeUnixNano, 'fixed64 end');
    t.same(Object.fromEntries((s.attributes ?? []).map((a) => [a.key, plain(a.value)])), attrs(seen));
  }
  t.same(Object.fromEntries((spans[0]!.attributes ?? []).map((a) => [a.key, plain(a.value)])), set, 'the values set, every type');
  t.same(spans[0]!.status, { code: 2, message: 'upstream_timeout' }, 'STATUS_CODE_ERROR with the message');
  t.equal(hex(spans[0]!.parentSpanId), server.spanId);
  t.equal(hex(spans[0]!.traceId), traceId);
});
