// UpstreamCall (undici's dispatch handler API): bodies collected whole up to a limit, streamed chunk by chunk intact,
// and every way of giving up — abort before the head, idle silence, release mid-body — settles at once.
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import t, { type Test } from 'tap';
import { Pool } from 'undici';
import { UpstreamCall } from '../../../../filters/llm/proxy/upstream-call.js';

async function server(t: Test, handler: http.RequestListener): Promise<Pool> {
  const srv = http.createServer(handler);
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const pool = new Pool(`http://127.0.0.1:${(srv.address() as AddressInfo).port}`, { connections: 4 });
  t.teardown(async () => {
    await pool.destroy();
    srv.closeAllConnections();
    await new Promise((r) => srv.close(r));
  });
  return pool;
}

const GET = { method: 'GET', path: '/' } as const;

t.test('collect: the whole body, or exactly `limit` bytes and complete=false', async (t) => {
  const body = Buffer.alloc(300_000, 'x');
  const pool = await server(t, (_req, res) => res.end(body));
  const whole = new UpstreamCall(0);
  await whole.start(pool, GET);
  t.equal(whole.status, 200);
  const held = await whole.collect(1 << 20);
  t.ok(held.complete);
  t.ok(held.body.equals(body));
  const cut = new UpstreamCall(0);
  await cut.start(pool, GET);
  const part = await cut.collect(1000);
  t.same({ complete: part.complete, length: part.body.length }, { complete: false, length: 1000 });
});

t.test('next(): a 2 MB body streamed chunk by chunk arrives intact, then done', async (t) => {
  const body = Buffer.alloc(2 << 20);
  for (let i = 0; i < body.length; i++) body[i] = i % 251;
  const pool = await server(t, (_req, res) => res.end(body));
  const call = new UpstreamCall(5000);
  await call.start(pool, GET);
  const chunks: Buffer[] = [];
  for (let r = await call.next(); !r.done; r = await call.next()) {
    chunks.push(r.value);
    if (chunks.length % 8 === 0) await new Promise((resolve) => setTimeout(resolve, 1)); // a slow reader
  }
  t.ok(Buffer.concat(chunks).equals(body));
});

t.test('abort before the head rejects the head at once with the reason', async (t) => {
  const pool = await server(t, () => undefined); // never answers
  const call = new UpstreamCall(0);
  const head = call.start(pool, GET);
  setTimeout(() => call.abort(Object.assign(new Error('gave up'), { code: 'TEST_GAVE_UP' })), 20);
  await t.rejects(head, { code: 'TEST_GAVE_UP' });
});

t.test('idle silence while a read waits rejects it with DGP_IDLE_TIMEOUT; release() rejects a pending read', async (t) => {
  const pool = await server(t, (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write('data: 1\n\n');
  });
  const idle = new UpstreamCall(150);
  await idle.start(pool, GET);
  t.equal((await idle.next()).value?.toString(), 'data: 1\n\n');
  await t.rejects(idle.next(), { code: 'DGP_IDLE_TIMEOUT' });
  const released = new UpstreamCall(0);
  await released.start(pool, GET);
  await released.next();
  const pending = released.next();
  released.destroy();
  await t.rejects(pending, { code: 'UND_ERR_ABORTED' });
});
