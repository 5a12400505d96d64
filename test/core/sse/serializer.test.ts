// The SSE serializer writes canonical events that our parser reads back exactly.
import t from 'tap';
import { SseParser, serializeSseEvent, SSE_DONE, isDgpError } from '../../../core/index.js';

t.test('fields are written in canonical form', async (t) => {
  t.equal(serializeSseEvent({ data: 'a\r\nb\nc' }), 'data: a\ndata: b\ndata: c\n\n');
  t.equal(serializeSseEvent({ event: 'message', data: 'x' }), 'data: x\n\n', 'the default event type is omitted');
  t.equal(
    serializeSseEvent({ comment: 'hi', event: 'delta', id: '42', retry: 3000, data: '{}' }),
    ': hi\nevent: delta\nid: 42\nretry: 3000\ndata: {}\n\n',
  );
  t.equal(serializeSseEvent({ comment: 'ping' }), ': ping\n\n');
  t.equal(SSE_DONE, 'data: [DONE]\n\n');
});

t.test('round trip through the parser', async (t) => {
  const p = new SseParser();
  const text = serializeSseEvent({ event: 'e', id: '9', data: 'multi\nline\n' }) + serializeSseEvent({ data: '' });
  t.same(p.feed(text), [
    { event: 'e', data: 'multi\nline\n', id: '9' },
    { event: 'message', data: '', id: '9' },
  ]);
});

t.test('bad fields throw DGP_ERR_SSE_INVALID_FIELD', async (t) => {
  for (const ev of [{ event: 'a\nb' }, { id: 'x\ry' }, { id: 'a\0' }, { retry: -1 }, { retry: 1.5 }]) {
    try {
      serializeSseEvent(ev);
      t.fail(`accepted ${JSON.stringify(ev)}`);
    } catch (err) {
      t.ok(isDgpError(err) && err.code === 'DGP_ERR_SSE_INVALID_FIELD', JSON.stringify(ev));
    }
  }
});
