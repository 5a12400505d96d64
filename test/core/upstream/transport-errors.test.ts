// Transport failures classified from what undici really throws on loopback: refused, reset, timeouts.
import { createServer } from 'node:net';
import t from 'tap';
import { Pool } from 'undici';
import { classifyTransportError } from '../../../core/index.js';

async function failureOf(origin: string, opts: Pool.Options = {}, headersTimeout?: number): Promise<unknown> {
  const pool = new Pool(origin, opts);
  try {
    const res = await pool.request({ method: 'GET', path: '/', ...(headersTimeout ? { headersTimeout } : {}) });
    await res.body.dump();
    return undefined;
  } catch (err) {
    return err;
  } finally {
    await pool.destroy();
  }
}

t.test('refused → connect_error; reset before headers → network_error; slow headers → timeout', async (t) => {
  const srv = createServer((s) => {
    s.once('data', () => {
      if (srv.listenerCount('x-mode') === 0) s.resetAndDestroy();
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;

  const reset = classifyTransportError(await failureOf(`http://127.0.0.1:${port}`));
  t.equal(reset.kind, 'network_error', reset.code);
  t.equal(reset.timedOut, false);

  srv.on('x-mode', () => undefined); // now the server holds sockets silently
  const stalled = classifyTransportError(await failureOf(`http://127.0.0.1:${port}`, {}, 150));
  t.match(stalled, { kind: 'timeout', code: 'UND_ERR_HEADERS_TIMEOUT', timedOut: true });

  await new Promise<void>((r) => srv.close(() => r()));
  const refused = classifyTransportError(await failureOf(`http://127.0.0.1:${port}`));
  t.match(refused, { kind: 'connect_error', code: 'ECONNREFUSED', timedOut: false });
});

t.test('synthetic codes: connect timeout, TLS, unknown', async (t) => {
  t.match(classifyTransportError(Object.assign(new Error('x'), { code: 'UND_ERR_CONNECT_TIMEOUT' })), { kind: 'connect_error', timedOut: true });
  t.match(classifyTransportError(Object.assign(new Error('x'), { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' })), { kind: 'connect_error' });
  t.match(classifyTransportError(Object.assign(new Error('x'), { code: 'UND_ERR_BODY_TIMEOUT' })), { kind: 'timeout', timedOut: true });
  t.match(classifyTransportError(Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' })), { kind: 'network_error', code: 'UND_ERR_SOCKET' });
  t.match(classifyTransportError('weird'), { kind: 'network_error', code: 'UNKNOWN' });
});
