// Traces as a collector receives them: an in-test OTLP/HTTP receiver (protobuf, decoded in test/helpers) gets a SERVER span per request
// and one CLIENT span per upstream attempt — a 503 then a fallback 200 shows as two — named and described per the
// GenAI semantic conventions, with dgp's attributes and never the client's key. A client's traceparent is followed
// (sampled or not) and, when asked, the attempt's own traceparent goes upstream.
import t from 'tap';
import { startMockOpenAi } from '../../../helpers/mock-providers/index.js';
import { startGateway } from '../../../helpers/gateway.js';
import { attrs, otlpReceiver } from '../../../helpers/otlp-receiver.js';
import { MASTER, waitFor } from '../../../filters/llm/keys/spend/helpers.js';

/** `kind` is the proto enum: SERVER 2, CLIENT 3. */
const SERVER = 2;
const CLIENT = 3;

const VK = 'sk-dgp-trace-test-key';

function conf(o: { a: number; b: number; otlp: string; ratio: number; propagate?: boolean; batch?: string }): string {
  return `static_resources:
  shutdown_config: {timeout: 300ms}
  adapters:
    - {id: keystore, name: dgp.adapter.store.sqlite, config: {path: data/keys.db}}
  listeners:
    - name: main
      address: {socket_address: {address: 127.0.0.1, port: 0}}
      filter_chains:
        filters:
          - name: dgp.filter.httpconnectionmanager
            config:
              route_config:
                routes:
                  - id: chat
                    match: {prefix: /v1}
                    route: {cluster: llm}
              http_filters:
                - name: dgp.filter.llm.keys
                  config:
                    store: keystore
                    master_key: ${MASTER}
                    keys:
                      - {key: ${VK}, alias: tracer-bot, team: t7}
                - name: dgp.filter.llm.proxy
                  config: {}
  clusters:
    - name: llm
      lb_policy: RoundRobin
      endpoints:
        - id: A
          socket_address: {address: 127.0.0.1, port: ${o.a}}
          llm_meta: {provider: openai, api_key: sk-test, scheme: http, fallback: true, health_check_interval: 0, retry_policy: {name: NoRetry}}
        - id: B
          socket_address: {address: 127.0.0.1, port: ${o.b}}
          llm_meta: {provider: openai, api_key: sk-test, scheme: http, fallback: true, health_check_interval: 0, retry_policy: {name: NoRetry}}
tracing:
  enabled: true
  service_name: dgp-test
  exporter: { endpoint: ${o.otlp} }
  sampler: { ratio: ${o.ratio} }
  batch: ${o.batch ?? '{ schedule_delay: 20ms }'}
  propagate_to_upstream: ${o.propagate ?? false}
`;
}

const post = (url: string, body: object, headers: Record<string, string> = {}) =>
  fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${VK}`, 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

const overloaded = { error: { status: 503, body: { error: { message: 'overloaded', type: 'server_error' } } } };

t.test('a 503 then a fallback 200: one SERVER span, one CLIENT span per attempt, GenAI names and attributes', async (t) => {
  const rx = await otlpReceiver(t);
  const a = await startMockOpenAi({ reply: overloaded });
  const b = await startMockOpenAi({ reply: { text: 'Hello there.', usage: { input: 20, output: 5, cached: 8 } } });
  const g = await startGateway(conf({ a: a.port, b: b.port, otlp: rx.url, ratio: 1 }));
  t.teardown(async () => (await g.close(), await a.close(), await b.close()));
  const res = await post(g.url(), { model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'hi' }] });
  t.equal(res.status, 200);
  await res.text();
  t.equal(a.requests.length, 1);
  t.equal(b.requests.length, 1);
  await waitFor('3 spans', () => rx.spans.length >= 3);
  t.equal(rx.contentTypes[0], 'application/x-protobuf', 'OTLP over HTTP, protobuf encoding');
  t.same(rx.errors, [], 'every export decodes');
  t.match(JSON.stringify(rx.resources[0]), /"service.name".*"dgp-test"/);
  const server = rx.spans.filter((s) => s.kind === SERVER);
  const clients = rx.spans.filter((s) => s.kind === CLIENT);
  t.equal(server.length, 1, 'one SERVER span');
  t.equal(clients.length, 2, 'one CLIENT span per attempt');
  const s = server[0]!;
  t.equal(s.name, 'POST /v1/chat/completions');
  t.ok(BigInt(s.startTimeUnixNano) < BigInt(s.endTimeUnixNano), 'the SERVER span has its times');
  t.ok(Math.abs(Number(BigInt(s.startTimeUnixNano) / 1_000_000n) - Date.now()) < 60_000, 'Unix nanoseconds of now');
  for (const c of clients) {
    t.equal(c.name, 'chat gpt-4o-mini', 'named {gen_ai.operation.name} {gen_ai.request.model}');
    t.ok(BigInt(c.startTimeUnixNano) >= BigInt(s.startTimeUnixNano) && BigInt(c.endTimeUnixNano) <= BigInt(s.endTimeUnixNano), 'within the SERVER span');
    t.equal(c.parentSpanId, s.spanId, 'a child of the SERVER span');
    t.equal(c.traceId, s.traceId);
  }
  const [failed, ok] = clients.map(attrs).sort((x, y) => String(x['dgp.endpoint']).localeCompare(String(y['dgp.endpoint'])));
  t.match(failed, { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o-mini', 'server.address': '127.0.0.1', 'server.port': a.port, 'dgp.endpoint': 'A', 'http.response.status_code': 503, 'error.type': '503' });
  t.equal(clients.find((c) => attrs(c)['dgp.endpoint'] === 'A')!.status?.code, 2, 'the failed attempt has status ERROR');
  t.match(ok, {
    'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.response.model': String,
    'gen_ai.usage.input_tokens': 20, 'gen_ai.usage.output_tokens': 5, 'gen_ai.usage.cache_read.input_tokens': 8, 'gen_ai.usage.reasoning.output_tokens': 0,
    'gen_ai.response.finish_reasons': ['stop'], 'gen_ai.response.time_to_first_chunk': Number,
    'dgp.endpoint': 'B', 'http.response.status_code': 200, 'dgp.key.alias': 'tracer-bot', 'dgp.team.id': 't7', 'dgp.cost_usd': Number,
  });
  t.notOk('error.type' in ok!);
  t.match(attrs(s), { 'http.request.method': 'POST', 'http.response.status_code': 200, 'gen_ai.operation.name': 'chat', 'gen_ai.usage.input_tokens': 20, 'dgp.key.alias': 'tracer-bot' });
  t.notOk(JSON.stringify(rx.spans).includes(VK), 'the client key is in no span');
});

t.test('traceparent: a sampled client trace is continued (ratio 0 notwithstanding) and forwarded upstream; an unsampled one is not traced', async (t) => {
  const rx = await otlpReceiver(t);
  const b = await startMockOpenAi({ reply: { text: 'ok', usage: { input: 2, output: 1 } } });
  const g = await startGateway(conf({ a: b.port, b: b.port, otlp: rx.url, ratio: 0, propagate: true }));
  t.teardown(async () => (await g.close(), await b.close()));
  const body = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] };
  const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
  const parent = '00f067aa0ba902b7';
  t.equal((await post(g.url(), body, { traceparent: `00-${traceId}-${parent}-01` })).status, 200);
  await waitFor('2 spans', () => rx.spans.length >= 2);
  const server = rx.spans.find((s) => s.kind === SERVER)!;
  const client = rx.spans.find((s) => s.kind === CLIENT)!;
  t.equal(server.traceId, traceId, 'the client\'s trace');
  t.equal(server.parentSpanId, parent, 'the client\'s span is the parent');
  t.equal(b.requests[0]!.headers.traceparent, `00-${traceId}-${client.spanId}-01`, 'upstream gets the attempt span as parent');
  t.same(attrs(client)['gen_ai.response.finish_reasons'], ['stop'], 'finish reasons of a unary answer');

  const before = rx.spans.length;
  t.equal((await post(g.url(), body, { traceparent: `00-${traceId}-${parent}-00` })).status, 200, 'unsampled parent');
  t.equal((await post(g.url(), body)).status, 200, 'no parent, ratio 0');
  t.equal((await post(g.url(), body, { traceparent: 'garbage' })).status, 200, 'a malformed traceparent is ignored');
  await new Promise((r) => setTimeout(r, 150));
  t.equal(rx.spans.length, before, 'none of them produced a span');
  t.equal(b.requests[1]!.headers.traceparent, `00-${traceId}-${parent}-00`, 'an unsampled client traceparent passes through unchanged');
  t.equal(b.requests[2]!.headers.traceparent, undefined, 'no trace, no traceparent invented');
});

t.test('a collector that is down: requests are served, the lost spans are counted and logged once; the access line has the trace id', async (t) => {
  const b = await startMockOpenAi({ reply: { text: 'ok', usage: { input: 2, output: 1 } } });
  // Port 1 on loopback: nothing listens, the connection is refused at once.
  const yaml = conf({ a: b.port, b: b.port, otlp: 'http://127.0.0.1:1/v1/traces', ratio: 1 });
  const g = await startGateway(yaml);
  t.teardown(async () => (await g.close(), await b.close()));
  for (let i = 0; i < 3; i++) t.equal((await post(g.url(), { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })).status, 200);
  const failed = await waitFor('failed exports counted', async () => {
    const text = await (await fetch(`${g.adminUrl}/metrics`)).text();
    const m = /^dgp_tracing_spans_failed_total (\d+)/m.exec(text);
    return m !== null && Number(m[1]) >= 6 ? Number(m[1]) : undefined;
  });
  t.ok(failed >= 6, 'two spans per request, none exported');
  t.equal(g.logs.filter((l) => typeof l.msg === 'string' && l.msg.startsWith('tracing: exporting spans failed')).length, 1, 'logged once per outage');
  const access = g.logs.filter((l) => l.type === 'access');
  t.match(access[0], { trace_id: /^[0-9a-f]{32}$/ });
});

t.test('a full export queue drops spans and counts them; closing the gateway exports what is queued', async (t) => {
  const b = await startMockOpenAi({ reply: { text: 'ok', usage: { input: 2, output: 1 } } });
  t.teardown(() => b.close());
  const body = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] };

  // A collector that never answers: the first batch (one request's 2 spans) stays under way and fills max_queue.
  const stuck = await otlpReceiver(t, () => 'hang');
  const g = await startGateway(conf({ a: b.port, b: b.port, otlp: stuck.url, ratio: 1, batch: '{ max_queue: 2, max_export_batch: 2, schedule_delay: 20ms }' }));
  t.teardown(() => g.close());
  for (let i = 0; i < 3; i++) t.equal((await post(g.url(), body)).status, 200, 'requests are served while the export hangs');
  const metric = async (name: string): Promise<number> => Number(new RegExp(`^${name} (\\d+)`, 'm').exec(await (await fetch(`${g.adminUrl}/metrics`)).text())?.[1] ?? 0);
  await waitFor('the first batch sent', () => stuck.requests === 1);
  t.equal(await metric('dgp_tracing_spans_dropped_total'), 4, 'the spans of the 2nd and 3rd request dropped and counted');
  t.equal(stuck.spans.length, 2, 'the first request\'s spans were sent');

  // A long schedule delay: spans wait in the queue until the gateway closes, which exports them.
  const rx = await otlpReceiver(t);
  const g2 = await startGateway(conf({ a: b.port, b: b.port, otlp: rx.url, ratio: 1, batch: '{ schedule_delay: 60s }' }));
  for (let i = 0; i < 2; i++) t.equal((await post(g2.url(), body)).status, 200);
  await new Promise((r) => setTimeout(r, 100));
  t.equal(rx.requests, 0, 'nothing exported before the delay');
  await g2.close();
  t.equal(rx.spans.length, 4, 'closing exported the queued spans');
  t.equal(rx.spans.filter((s) => s.kind === SERVER).length, 2);
  t.same(rx.errors, []);
});
