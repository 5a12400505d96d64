// The keep-alive wrapper (reliability property 12) on synthetic bodies: comments only while the host waits, only on
// an event boundary, never after the end; the inner body's bytes pass unchanged and in order; return() releases the
// inner body. The end-to-end test through the gateway is sse-keepalive-e2e.test.ts.
import t from 'tap';
import { KEEP_ALIVE_COMMENT, SseKeepAlive } from '../../../../filters/llm/proxy/sse-keepalive.js';

/** An inner body whose chunks the test releases one at a time. */
function controlled(): { body: AsyncIterable<Buffer>; push(s: string): void; end(): void; fail(err: Error): void; returned: () => boolean } {
  const queue: Array<IteratorResult<Buffer> | Error> = [];
  let wake: (() => void) | undefined;
  let returned = false;
  const settle = (v: IteratorResult<Buffer> | Error): void => {
    queue.push(v);
    wake?.();
  };
  const iterator: AsyncIterator<Buffer> = {
    async next() {
      while (queue.length === 0) await new Promise<void>((r) => (wake = r));
      const v = queue.shift()!;
      if (v instanceof Error) throw v;
      return v;
    },
    async return() {
      returned = true;
      settle(new Error('released'));
      return { done: true, value: undefined };
    },
  };
  return {
    body: { [Symbol.asyncIterator]: () => iterator },
    push: (s) => settle({ done: false, value: Buffer.from(s) }),
    end: () => settle({ done: true, value: undefined }),
    fail: (err) => settle(err),
    returned: () => returned,
  };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const text = (r: IteratorResult<Buffer>): string => (r.done ? '<done>' : r.value.toString());

t.test('silence on an event boundary: a comment per interval while the host waits, then the bytes in order', async (t) => {
  const src = controlled();
  const ka = new SseKeepAlive(src.body, 40);
  src.push('data: 1\n\n');
  t.equal(text(await ka.next()), 'data: 1\n\n');
  const started = performance.now();
  t.equal(text(await ka.next()), KEEP_ALIVE_COMMENT, 'a comment after the interval');
  t.ok(performance.now() - started >= 35, 'not before the interval');
  t.equal(text(await ka.next()), KEEP_ALIVE_COMMENT, 'and another one');
  src.push('data: 2\n\n');
  t.equal(text(await ka.next()), 'data: 2\n\n', 'the read in flight is delivered, not lost');
  src.end();
  t.equal(text(await ka.next()), '<done>');
  await sleep(100);
  t.equal(text(await ka.next()), '<done>', 'nothing after the end');
  t.equal(ka.comments, 2);
});

t.test('silence inside an unfinished event: no comment until the event is complete', async (t) => {
  const src = controlled();
  const ka = new SseKeepAlive(src.body, 20);
  src.push('data: 1\n\ndata: {"par');
  t.equal(text(await ka.next()), 'data: 1\n\ndata: {"par');
  const pending = ka.next();
  await sleep(120); // six intervals
  src.push('tial": true}\n\n');
  t.equal(text(await pending), 'tial": true}\n\n', 'the rest of the event, with nothing inserted');
  t.equal(ka.comments, 0);
  t.equal(text(await ka.next()), KEEP_ALIVE_COMMENT, 'back on a boundary: comments resume');
  src.end();
  t.equal(text(await ka.next()), '<done>');
});

t.test('a chunk that arrives while the host writes a comment is kept for the next read', async (t) => {
  const src = controlled();
  const ka = new SseKeepAlive(src.body, 20);
  t.equal(text(await ka.next()), KEEP_ALIVE_COMMENT, 'a quiet start is a boundary');
  src.push('data: 1\n\n');
  await sleep(5);
  t.equal(text(await ka.next()), 'data: 1\n\n');
  src.fail(new Error('cut'));
  await t.rejects(ka.next(), /cut/, 'an inner failure reaches the host');
  t.equal(text(await ka.next()), '<done>');
});

t.test('return() while the inner read waits releases the inner body and stops the timer', async (t) => {
  const src = controlled();
  const ka = new SseKeepAlive(src.body, 20);
  src.push('data: 1\n\n');
  await ka.next();
  t.equal(text(await ka.next()), KEEP_ALIVE_COMMENT);
  await ka.return();
  t.ok(src.returned(), 'the inner body was released');
  await sleep(60);
  t.equal(text(await ka.next()), '<done>');
  t.equal(ka.comments, 1);
});
