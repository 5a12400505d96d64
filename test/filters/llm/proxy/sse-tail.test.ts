// Where delivered SSE bytes stand (filters/llm/proxy/sse-tail.ts): the error frame of a cut stream and the keep-alive
// comment both rely on it. CRLF pairs are read as a parser reads them, split anywhere.
import { PassThrough } from 'node:stream';
import t from 'tap';
import { UpstreamBody, readableSource } from '../../../../filters/llm/proxy/response-body.js';
import { SseTail } from '../../../../filters/llm/proxy/sse-tail.js';

t.test('SseTail: where the delivered bytes stand, CRLF pairs read as a parser reads them', async (t) => {
  const cases: Array<[string[], string]> = [
    [[], ''],
    [['data: 1\n\n'], ''],
    [['data: 1\r\n\r\n'], ''],
    [['data: 1\r\r'], ''],
    [['data: 1\n\r\n'], ''],
    [['data: 1\r\r\n'], ''],
    [['data: 1\n'], '\n'],
    [['data: 1\r\n'], '\n'], // one CRLF ends the line, not the event
    [['data: 1\r'], '\n\n'], // a lone CR may still pair with the next LF
    [['data: {"par'], '\n\n'],
    [['\n'], ''], // an empty line at the very start
    [['\r\n'], ''],
    [['data: 1\n', '\n'], ''], // split anywhere
    [['data: 1\r', '\n'], '\n'],
    [['data: 1\r', '\n', '\r', '\n'], ''],
    [['d', 'a', 't', 'a', ':', '1', '\n', '\n'], ''],
    [['data: 1\n\n', 'data: 2'], '\n\n'],
  ];
  for (const [chunks, want] of cases) {
    const tail = new SseTail();
    for (const c of chunks) tail.push(Buffer.from(c));
    t.equal(tail.separator(), want, JSON.stringify(chunks));
    t.equal(tail.atBoundary(), want === '', `${JSON.stringify(chunks)} boundary`);
  }
});

t.test('a stream cut after a CRLF that ends a line, not the event: the error event gets its own blank line', async (t) => {
  for (const [sent, sep] of [
    ['data: 1\r\n', '\n'],
    ['data: 1\r', '\n\n'],
    ['data: 1\r\n\r\n', ''],
  ] as const) {
    const src = new PassThrough();
    const body = new UpstreamBody({ source: readableSource(src), first: undefined, sse: true, clientApi: 'openai', cancelledBy: () => undefined, onEnd: () => undefined });
    src.write(sent);
    await body.next();
    src.destroy(Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }));
    const frame = (await body.next()).value!.toString();
    t.ok(frame.startsWith(`${sep}data: {"error":`), `after ${JSON.stringify(sent)}: ${JSON.stringify(sep)} first`);
    await t.rejects(body.next(), { code: 'DGP_ERR_UPSTREAM_STREAM_CUT' });
  }
});
