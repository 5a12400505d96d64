// SseKeyFinder hands on exactly the events that contain its key, whatever the chunking, without cutting the others.
import t from 'tap';
import { SseKeyFinder, parseSseBlock } from '../../../core/index.js';

const KEY = Buffer.from('"usage');

const text = [
  'data: {"a":1}\n\n',
  'data: {"usage":null,"b":2}\n\n\n',
  ': comment "usage\n\n',
  'data: {"c":3}\n\n',
  'event: x\ndata: {"usage":{"n":1}}\n\n',
  'data: {"usage":{"n":2}}\n\n',
  'data: [DONE]\n\n',
].join('');
const want = ['{"usage":null,"b":2}', '{"usage":{"n":1}}', '{"usage":{"n":2}}'];

t.test('every split in three pieces gives the same events', async (t) => {
  const bytes = Buffer.from(text);
  let bad = 0;
  for (let i = 0; i <= bytes.length; i++) {
    for (const j of [i, Math.min(bytes.length, i + 5), Math.min(bytes.length, i + 40)]) {
      const got: string[] = [];
      const finder = new SseKeyFinder(KEY, (e) => {
        const ev = parseSseBlock(e);
        if (ev !== undefined) got.push(ev.data);
      }, 1 << 20);
      for (const piece of [bytes.subarray(0, i), bytes.subarray(i, j), bytes.subarray(j)]) if (!finder.feed(piece)) bad++;
      if (JSON.stringify(got) !== JSON.stringify(want)) bad++;
    }
  }
  t.equal(bad, 0);
});

t.test('gives up on a CR or an oversized event, before consuming the chunk', async (t) => {
  const f = new SseKeyFinder(KEY, () => undefined, 16);
  t.ok(f.feed(Buffer.from('data: 0123456789abcdef')));
  t.notOk(f.feed(Buffer.from('\n\n')), 'the held event outgrew the limit');
  t.equal(f.takeRest().toString(), 'data: 0123456789abcdef');
  t.notOk(new SseKeyFinder(KEY, () => undefined, 16).feed(Buffer.from('data: a\r\n\r\n')));
});

t.test('a key filter hands on only the events it accepts, whatever the chunking', async (t) => {
  // Accepts `"usage` followed by an object: the tap's way of skipping OpenAI's `"usage":null` without a parse.
  const objectValue = (buf: Buffer, at: number) => buf[at + KEY.length + 2] === 0x7b;
  const bytes = Buffer.from(text);
  let bad = 0;
  for (let i = 0; i <= bytes.length; i++) {
    for (const j of [i, Math.min(bytes.length, i + 7)]) {
      const got: string[] = [];
      const finder = new SseKeyFinder(KEY, (e) => {
        const ev = parseSseBlock(e);
        if (ev !== undefined) got.push(ev.data);
      }, 1 << 20, objectValue);
      for (const piece of [bytes.subarray(0, i), bytes.subarray(i, j), bytes.subarray(j)]) finder.feed(piece);
      if (JSON.stringify(got) !== JSON.stringify(['{"usage":{"n":1}}', '{"usage":{"n":2}}'])) bad++;
    }
  }
  t.equal(bad, 0);
});

t.test('the key is found wherever its rarest byte repeats, and not past the end', async (t) => {
  const got: string[] = [];
  const f = new SseKeyFinder(Buffer.from('"usage'), (e) => got.push(e.toString()), 1 << 20);
  f.feed(Buffer.from('data: {"gggusage":1,"usag":2}\n\ndata: {"x":"xusage"}\n\ndata: {"usage":3}\n\ndata: "usa'));
  f.feed(Buffer.from('ge\n\n'));
  t.same(got, ['data: {"usage":3}\n\n', 'data: "usage\n\n']);
});
