// The access-log line written without pino's per-line machinery: the same bytes pino would write for the same logger,
// undefined fields left out, filter-supplied secret names censored, and the pino path for loggers of another shape.
import { Writable } from 'node:stream';
import { pino } from 'pino';
import t from 'tap';
import { AccessLog } from '../../../core/observability/access-log.js';
import { createLogger } from '../../../core/observability/logger.js';

function sink(): { stream: Writable; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) lines.push(line);
      cb();
    },
  });
  return { stream, lines };
}

const flush = () => new Promise((r) => setImmediate(r));

t.test('the line has the shape pino gives the same logger: level, time, bindings, fields, msg', async (t) => {
  const direct = sink();
  const viaPino = sink();
  const fields = { reqId: 'r-1', route: 'main#0', type: 'access', method: 'POST', path: '/v1/chat/"x"', status: 200, bytes: 12, duration_ms: 1.5, endpoint: undefined };
  new AccessLog(createLogger({ destination: direct.stream }).child({ listener: 'main' })).write(fields);
  createLogger({ destination: viaPino.stream }).child({ listener: 'main' }).info(fields, 'access');
  await flush();
  const [a, b] = [JSON.parse(direct.lines[0]!), JSON.parse(viaPino.lines[0]!)];
  t.match(direct.lines[0], /^\{"level":"info","time":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z","pid":\d+,"listener":"main","reqId":"r-1",/);
  delete a.time;
  delete b.time;
  t.same(a, b, 'same fields and values as pino');
  t.notOk('endpoint' in a, 'undefined fields are left out');
  t.equal(a.path, '/v1/chat/"x"', 'strings are JSON-escaped');
});

t.test('filter fields follow the host fields; secret-looking names are censored, nested ones too', async (t) => {
  const s = sink();
  new AccessLog(createLogger({ destination: s.stream })).write(
    { type: 'access', status: 200 },
    { model: 'gpt-4o', prompt_tokens: 3, authorization: 'Bearer sk-live', extra: { api_key: 'sk-2', n: 1 }, bad: Number.NaN },
  );
  await flush();
  const line = JSON.parse(s.lines[0]!);
  t.match(line, { type: 'access', status: 200, model: 'gpt-4o', prompt_tokens: 3, authorization: '[redacted]', extra: { api_key: '[redacted]', n: 1 }, bad: null, msg: 'access' });
  t.notMatch(s.lines[0], /sk-live|sk-2/);
});

t.test('a logger not made by createLogger goes through pino; a level above info writes nothing', async (t) => {
  const s = sink();
  new AccessLog(pino({ level: 'info', base: undefined, timestamp: false }, s.stream)).write({ type: 'access', status: 204 }, { token: 'secret' });
  const quiet = sink();
  new AccessLog(createLogger({ level: 'warn', destination: quiet.stream })).write({ type: 'access', status: 204 });
  await flush();
  t.same(JSON.parse(s.lines[0]!), { level: 30, type: 'access', status: 204, token: '[redacted]', msg: 'access' });
  t.equal(quiet.lines.length, 0);
});

t.test('a proxied request line (writeRequest) has the bytes the generic write gives the same fields', async (t) => {
  const fast = sink();
  const generic = sink();
  const extra = { model: 'gpt-4o', prompt_tokens: 24, route_trace: 'route=main#0;candidates=mock/mock(picked)' };
  const cases = [
    { reqId: 'r-1', route: 'main#0', method: 'POST', path: '/v1/chat/"x"', cluster: 'c', endpoint: 'e1', status: 200, upstream_status: undefined, bytes: 1156, durationUs: 23013, attempts: 1, trace_id: undefined },
    { reqId: 'r-2', route: 'main#0', method: 'GET', path: '/v1/models', cluster: 'c', endpoint: undefined, status: 499, upstream_status: 200, bytes: 0, durationUs: 5000, attempts: undefined, trace_id: '0af7651916cd43dd8448eb211c80319c' },
  ];
  for (const f of cases) {
    new AccessLog(createLogger({ destination: fast.stream }).child({ listener: 'main' })).writeRequest(f, extra);
    const { durationUs, ...rest } = f;
    const { reqId, route, method, path, cluster, endpoint, status, upstream_status, bytes, attempts, trace_id } = rest;
    new AccessLog(createLogger({ destination: generic.stream }).child({ listener: 'main' })).write(
      { reqId, route, type: 'access', method, path, cluster, endpoint, status, upstream_status, bytes, duration_ms: Math.round(durationUs) / 1000, attempts, trace_id },
      extra,
    );
  }
  await flush();
  t.equal(fast.lines.length, 2);
  for (let i = 0; i < 2; i++) t.equal(fast.lines[i]!.replace(/"time":"[^"]+"/, ''), generic.lines[i]!.replace(/"time":"[^"]+"/, ''), `case ${i}: same bytes`);
  t.match(fast.lines[0], /"duration_ms":23\.013,"attempts":1,"model":"gpt-4o"/);
});

t.test('millis writes whole microseconds exactly as the rounded double would be written', async (t) => {
  const { millis } = await import('../../../core/observability/access-log.js');
  const samples = [0, 1, 9, 10, 99, 100, 999, 1000, 1001, 1010, 1100, 23013, 23010, 23000, 123456789, 5, 50, 500, 7007, 2 ** 40 + 7];
  for (let i = 0; i < 2000; i++) samples.push(Math.floor(Math.random() * 10 ** (1 + (i % 9))));
  for (const us of samples) if (millis(us) !== `${us / 1000}`) t.fail(`${us}: ${millis(us)} != ${us / 1000}`);
  t.equal(millis(23013), '23.013');
  t.equal(millis(23010), '23.01');
  t.equal(millis(1001), '1.001');
  t.equal(millis(7), '0.007');
  t.equal(millis(-5), '-0.005', 'not an expected duration, written by the generic path');
});
