// The WHATWG SSE parser: line endings, fields, comments, BOM, split chunks, raw frames and the memory bound.
import t from 'tap';
import { SseParser, type SseEvent } from '../../../core/sse/index.js';

function parseAll(input: string | Buffer, chunks?: number[], opts?: { dispatchIncomplete?: boolean }): SseEvent[] {
  const buf = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  const p = new SseParser();
  const out: SseEvent[] = [];
  let pos = 0;
  for (const size of chunks ?? [buf.length]) {
    out.push(...p.feed(buf.subarray(pos, pos + size)));
    pos += size;
  }
  out.push(...p.feed(buf.subarray(pos)));
  out.push(...p.end(opts));
  return out;
}

t.test('LF, CRLF and CR line endings give the same events', async (t) => {
  const lf = 'data: a\n\nevent: x\ndata: b\n\n';
  const want = [
    { event: 'message', data: 'a', id: '' },
    { event: 'x', data: 'b', id: '' },
  ];
  t.same(parseAll(lf), want);
  t.same(parseAll(lf.replaceAll('\n', '\r\n')), want);
  t.same(parseAll(lf.replaceAll('\n', '\r')), want);
  t.same(parseAll('data: a\r\n\nevent: x\rdata: b\n\r\n'), want, 'mixed endings');
});

t.test('multi-line data, leading space, comments, unknown fields', async (t) => {
  const evs = parseAll(': keep-alive\ndata:first\ndata:  second\nfoo: bar\ndata\n\n');
  t.same(evs, [{ event: 'message', data: 'first\n second\n', id: '' }]);
  t.same(parseAll('data\n\n'), [{ event: 'message', data: '', id: '' }], 'a bare data field dispatches an empty string');
  t.same(parseAll(':only a comment\n\n\n\nevent: x\n\n'), [], 'blocks without data dispatch nothing');
});

t.test('id persists across events, NUL ids are ignored, retry is digits only', async (t) => {
  const p = new SseParser();
  const evs = p.feed('id: 1\ndata: a\n\ndata: b\n\nid: 2\0x\nretry: 1500\ndata: c\n\nretry: 1e3\nid\ndata: d\n\n');
  t.same(evs.map((e) => [e.id, e.data, e.retry]), [
    ['1', 'a', undefined],
    ['1', 'b', undefined],
    ['1', 'c', 1500],
    ['', 'd', undefined],
  ]);
  t.equal(p.retry, 1500);
  t.equal(p.lastEventId, '');
});

t.test('one leading BOM is ignored, also when split', async (t) => {
  const input = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('data: x\n\n')]);
  for (let i = 0; i <= input.length; i++) t.same(parseAll(input, [i]), [{ event: 'message', data: 'x', id: '' }], `split at ${i}`);
  t.same(parseAll('\uFEFF\uFEFFdata: y\n\n'), [], 'a second BOM makes the first field name unknown');
});

t.test('a stream split at every byte boundary parses the same (UTF-8 and CRLF included)', async (t) => {
  const input = Buffer.from(
    'event: message_start\r\ndata: {"type":"message_start","text":"héllo 世界 🎉"}\r\n\r\n: ping\r\n\r\ndata: line1\r\ndata: line2\r\n\r\nid: 7\rdata: [DONE]\r\r',
    'utf8',
  );
  const whole = parseAll(input);
  t.equal(whole.length, 3);
  t.equal(whole[0]!.data, '{"type":"message_start","text":"héllo 世界 🎉"}');
  for (let i = 0; i <= input.length; i++) t.same(parseAll(input, [i]), whole, `split at ${i}`);
  const bytewise = Array.from({ length: input.length }, () => 1);
  t.same(parseAll(input, bytewise), whole, 'one byte at a time');
});

t.test('end(): an unterminated event is discarded unless dispatchIncomplete', async (t) => {
  t.same(parseAll('data: a\n\ndata: b'), [{ event: 'message', data: 'a', id: '' }]);
  t.same(parseAll('data: a\n\ndata: b', undefined, { dispatchIncomplete: true }).map((e) => e.data), ['a', 'b']);
  t.same(parseAll('data: a\n\ndata: b\n', undefined, { dispatchIncomplete: true }).map((e) => e.data), ['a', 'b']);
});

t.test('raw frames: concatenated they give back the input at any split, with their events', async (t) => {
  const input = Buffer.from(': hi\r\n\r\ndata: {"a":1}\r\n\r\ndata: b\r\rdata: c\n\ntail', 'utf8');
  for (let i = 0; i <= input.length; i++) {
    const p = new SseParser({ raw: true });
    const frames = [...p.feedFrames(input.subarray(0, i)), ...p.feedFrames(input.subarray(i)), ...p.endFrames()];
    t.equal(Buffer.concat(frames.map((f) => f.raw)).toString(), input.toString(), `bytes at split ${i}`);
    t.same(
      frames.map((f) => [f.raw.toString(), f.event?.data]),
      [
        [': hi\r\n\r\n', undefined],
        ['data: {"a":1}\r\n\r\n', '{"a":1}'],
        ['data: b\r\r', 'b'],
        ['data: c\n\n', 'c'],
        ['tail', undefined],
      ],
      `frames at split ${i}`,
    );
  }
});

t.test('memory bound: an oversized event is dropped, counted, and the next one parses', async (t) => {
  const big = 'x'.repeat(5000);
  const input = `data: ${big}\ndata: more\n\ndata: small\n\n`;
  const p = new SseParser({ maxEventBytes: 1024 });
  const evs: SseEvent[] = [];
  for (let i = 0; i < input.length; i += 100) {
    evs.push(...p.feed(input.slice(i, i + 100)));
    t.ok(p.pendingBytes <= 1024 + 100, 'never holds more than the bound plus one chunk');
  }
  t.same(evs.map((e) => e.data), ['small']);
  t.equal(p.oversizedEvents, 1);

  const r = new SseParser({ maxEventBytes: 1024, raw: true });
  const frames = [];
  for (let i = 0; i < input.length; i += 100) frames.push(...r.feedFrames(input.slice(i, i + 100)));
  frames.push(...r.endFrames());
  t.equal(Buffer.concat(frames.map((f) => f.raw)).toString(), input, 'raw mode passes the oversized bytes through in order');
  t.same(frames.filter((f) => f.event).map((f) => f.event!.data), ['small']);
});

t.test('invalid UTF-8 becomes U+FFFD instead of failing', async (t) => {
  const input = Buffer.concat([Buffer.from('data: a'), Buffer.from([0xff, 0xc3]), Buffer.from('\n\n')]);
  t.same(parseAll(input).map((e) => e.data), ['a\uFFFD\uFFFD']);
});
