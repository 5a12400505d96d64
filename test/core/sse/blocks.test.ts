// SseBlockReader cuts a stream into whole event blocks without decoding them; the parser reads exactly the stream's
// events from those blocks, whatever the chunking, and the reader hands over to the WHATWG parser on CR framing.
import t from 'tap';
import { SseBlockReader, SseParser, parseSseBlock } from '../../../core/index.js';

const stream = [
  'data: {"id":"1","choices":[{"delta":{"content":"Hi"}}]}\n\n',
  'event: ping\ndata: {}\n\n',
  ': a comment\n\n',
  'data: line one\ndata: line two\n\n',
  'data: [DONE]\n\n',
].join('');

t.test('the parser reads the same events from the blocks, at every split point', async (t) => {
  const text = Buffer.from(`${stream}\n: trailing comment\n\n\ndata: tail-without-end`);
  const parser = new SseParser();
  const all = [...parser.feed(text), ...parser.end({ dispatchIncomplete: true })].map((e) => e.data);
  let bad = 0;
  for (let i = 0; i <= text.length; i++) {
    for (const j of [i, Math.min(text.length, i + 7)]) {
      const reader = new SseBlockReader(1 << 20);
      const blocks = [text.subarray(0, i), text.subarray(i, j), text.subarray(j)].flatMap((c) => reader.feed(c));
      const complete = blocks.every((b) => b.subarray(-2).toString() === '\n\n');
      const got = [...blocks, ...reader.end()].map(parseSseBlock).filter((e) => e !== undefined).map((e) => e.data);
      if (JSON.stringify(got) !== JSON.stringify(all) || !complete) bad++;
    }
  }
  t.equal(bad, 0, `${2 * (text.length + 1)} split pairs`);
});

t.test('a CR hands the stream to the WHATWG parser, held bytes first; so does a block past the limit', async (t) => {
  const crlf = new SseBlockReader(1 << 20);
  t.same(crlf.feed(Buffer.from('data: a\n\ndata: b')), [Buffer.from('data: a\n\n')]);
  const after = crlf.feed(Buffer.from('\r\n\r\ndata: c\r\n\r\n'));
  t.same(after.map((b) => b.toString()), ['data: b\r\n\r\n', 'data: c\r\n\r\n']);
  t.same(after.map((b) => parseSseBlock(b)?.data), ['b', 'c']);
  const big = new SseBlockReader(16);
  t.same(big.feed(Buffer.from('data: 0123456789abcdef')), []);
  t.same(big.feed(Buffer.from('more\n\ndata: ok\n\n')).map((b) => b.toString()), ['data: ok\n\n'], 'the oversized block is dropped');
});

t.test('blocks of an LF-framed chunk are views of it, not copies', async (t) => {
  const chunk = Buffer.from(stream);
  const blocks = new SseBlockReader().feed(chunk);
  t.equal(blocks.length, 5);
  t.ok(blocks.every((b) => b.buffer === chunk.buffer));
});
