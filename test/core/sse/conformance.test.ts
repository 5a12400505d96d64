// One conformance table for every reader of event streams (WHATWG HTML "event stream interpretation"): the core
// parser, fed whole, split at every byte and one byte at a time; the block reader, whose blocks parse to the same
// events; and the proxy's first-event check, which must see the table's first event.
import t from 'tap';
import { SseBlockReader, SseParser, parseSseBlock, type SseEvent } from '../../../core/index.js';
import { inspectFirstEvent } from '../../../filters/llm/proxy/first-event.js';

interface Case {
  name: string;
  input: string;
  /** Events dispatched; with `tail`, the unterminated last event dispatched at the end (dispatchIncomplete). */
  events: Array<Partial<SseEvent> & { data: string }>;
  tail?: Partial<SseEvent> & { data: string };
}

const TABLE: Case[] = [
  { name: 'LF line ends', input: 'data: a\n\ndata: b\n\n', events: [{ data: 'a' }, { data: 'b' }] },
  { name: 'CRLF line ends', input: 'data: a\r\n\r\ndata: b\r\n\r\n', events: [{ data: 'a' }, { data: 'b' }] },
  { name: 'CR line ends', input: 'data: a\r\rdata: b\r\r', events: [{ data: 'a' }, { data: 'b' }] },
  { name: 'mixed line ends', input: 'data: a\r\n\ndata: b\r\rdata: c\n\r\n', events: [{ data: 'a' }, { data: 'b' }, { data: 'c' }] },
  { name: 'a leading BOM is dropped once', input: '\uFEFFdata: a\n\n', events: [{ data: 'a' }] },
  { name: 'comments dispatch nothing', input: ': ping\n\n: x\ndata: a\n: y\n\n', events: [{ data: 'a' }] },
  { name: 'multi-line data joined with LF', input: 'data: one\ndata:two\ndata:  three\n\n', events: [{ data: 'one\ntwo\n three' }] },
  { name: 'event type, default message', input: 'event: delta\ndata: a\n\ndata: b\n\n', events: [{ event: 'delta', data: 'a' }, { event: 'message', data: 'b' }] },
  { name: 'id persists across events; NUL ignored', input: 'id: 7\ndata: a\n\ndata: b\n\nid: x\0y\ndata: c\n\n', events: [{ id: '7', data: 'a' }, { id: '7', data: 'b' }, { id: '7', data: 'c' }] },
  { name: 'retry: digits only', input: 'retry: 100\ndata: a\n\nretry: 1x\ndata: b\n\n', events: [{ data: 'a', retry: 100 }, { data: 'b' }] },
  { name: 'field without colon', input: 'data\n\ndata\ndata\n\n', events: [{ data: '' }, { data: '\n' }] },
  { name: 'unknown fields ignored', input: 'foo: bar\ndata: a\nbaz\n\n', events: [{ data: 'a' }] },
  { name: 'no data: no event', input: 'event: x\n\nid: 1\n\ndata: a\n\n', events: [{ data: 'a', id: '1' }] },
  { name: 'trailing partial event', input: 'data: a\n\ndata: b', events: [{ data: 'a' }], tail: { data: 'b' } },
  { name: 'UTF-8 split inside a character', input: 'data: °C ☔ 東京\n\n', events: [{ data: '°C ☔ 東京' }] },
];

function parse(pieces: Buffer[]): { events: SseEvent[]; tail: SseEvent[] } {
  const p = new SseParser();
  const events = pieces.flatMap((c) => p.feed(c));
  return { events, tail: p.end({ dispatchIncomplete: true }) };
}

function matches(got: SseEvent[], want: Case['events']): boolean {
  return got.length === want.length && want.every((w, i) => Object.entries({ event: 'message', ...w }).every(([k, v]) => (got[i] as unknown as Record<string, unknown>)[k] === v) && (w.retry !== undefined || got[i]!.retry === undefined));
}

for (const c of TABLE) {
  t.test(c.name, async (t) => {
    const bytes = Buffer.from(c.input);
    const want = c.tail === undefined ? [] : [c.tail];
    const whole = parse([bytes]);
    t.ok(matches(whole.events, c.events), `whole: ${JSON.stringify(whole.events)}`);
    t.ok(matches(whole.tail, want), `tail: ${JSON.stringify(whole.tail)}`);
    let bad = 0;
    for (let i = 0; i <= bytes.length; i++) {
      const r = parse([bytes.subarray(0, i), bytes.subarray(i)]);
      if (!matches(r.events, c.events) || !matches(r.tail, want)) bad++;
    }
    t.equal(bad, 0, 'split in two at every byte');
    const bytewise = parse([...bytes].map((b) => Buffer.from([b])));
    t.ok(matches(bytewise.events, c.events) && matches(bytewise.tail, want), 'one byte at a time');

    const reader = new SseBlockReader();
    const blocks = [...reader.feed(bytes), ...reader.end()];
    const data = blocks.map(parseSseBlock).filter((e) => e !== undefined).map((e) => [e.event, e.data]);
    t.same(data, [...c.events, ...want].map((e) => [e.event ?? 'message', e.data]), 'block reader');

    const first = inspectFirstEvent(bytes, true);
    t.same(first, { kind: 'ok' }, 'first-event check: not an error');
  });
}

t.test('the first-event check sees the table first event when it is an error', async (t) => {
  for (const input of ['event: error\r\ndata: x\r\n\r\n', '\uFEFF: ping\r\rdata: {"type":"error","error":{"message":"m"}}\r\r', 'event: error\n\n']) {
    t.equal(inspectFirstEvent(Buffer.from(input)).kind, 'error', JSON.stringify(input));
  }
});
