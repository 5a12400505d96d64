// Which socket a request went out on, and whether it had carried a request before (core/upstream/socket-reuse.ts),
// read from undici's sendHeaders diagnostics channel; and the one-shot connection made like a pool's.
import type { Socket } from 'node:net';
import t from 'tap';
import { Pool, type Dispatcher } from 'undici';
import { UpstreamPools, expectSocket, freshConnection } from '../../../core/index.js';
import { FakeUpstream } from '../../helpers/fake-upstream.js';

/** A minimal dispatch handler that announces itself, as UpstreamCall does, and collects the answer. */
function call(dispatcher: Pick<Dispatcher, 'dispatch'>, path: string, seen: Array<{ socket: Socket; reused: boolean }>, announce = path): Promise<number> {
  return new Promise((resolve, reject) => {
    let status = 0;
    dispatcher.dispatch(
      { method: 'GET', path },
      {
        onRequestStart: () => expectSocket({ onSocket: (socket, reused) => seen.push({ socket, reused }) }, 'GET', announce),
        onResponseStart: (_c, s) => void (status = s),
        onResponseData: () => undefined,
        onResponseEnd: () => resolve(status),
        onResponseError: (_c, err) => reject(err),
      },
    );
  });
}

const idle = (): Promise<void> => new Promise((r) => setTimeout(r, 5));

t.test('the first request on a socket is fresh, the next ones reused; an announcement for another request is not', async (t) => {
  const up = await FakeUpstream.start();
  const pool = new Pool(up.origin, { pipelining: 1 });
  t.teardown(async () => (await pool.close(), await up.close()));
  const seen: Array<{ socket: Socket; reused: boolean }> = [];
  t.equal(await call(pool, '/a', seen), 200);
  await idle();
  t.equal(await call(pool, '/b', seen), 200);
  await idle();
  t.equal(await call(pool, '/c', seen, '/other'), 200, 'announced for another path');
  t.same(seen.map((s) => s.reused), [false, true], 'fresh, then reused; the mismatched announcement told nobody');
  t.equal(seen[0]!.socket, seen[1]!.socket);
});

t.test('freshConnection: a new connection per request, made like the pool; none for foreign dispatchers', async (t) => {
  const up = await FakeUpstream.start();
  const pools = new UpstreamPools();
  t.teardown(async () => (await pools.close(), await up.close()));
  const pool = pools.get(up.origin, { connections: 0, keepAliveTimeout: 4000, connectTimeout: 1000, headersTimeout: 1000, bodyTimeout: 1000 });
  const fresh = freshConnection(pool)!;
  const seen: Array<{ socket: Socket; reused: boolean }> = [];
  t.equal(await call(pool, '/warm', seen), 200);
  await idle();
  t.equal(await call(fresh, '/one', seen), 200);
  t.equal(await call(fresh, '/two', seen), 200);
  t.same(seen.map((s) => s.reused), [false, false, false]);
  t.same(new Set(up.requests.map((r) => r.connectionId)).size, 3, 'three connections');
  await up.waitFor(() => up.openConnections() === 1, 2000, 'the one-shot connections closed after their answer');
  t.equal(freshConnection(new Pool(up.origin)), undefined);
});
