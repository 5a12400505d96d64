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
