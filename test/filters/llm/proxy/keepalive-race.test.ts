// Reliability property 21, the keep-alive reuse race, over real sockets with retries off (NoRetry, no fallback): a
// request written to a reused keep-alive socket that the upstream closes before any response byte is sent once more on
// a new connection, so the client sees no failure; a fresh socket, a response byte already received, or `retry_on`
// without `reset` get no resend. The timed race itself, through the gateway, is keepalive-race-e2e.test.ts.
import { createServer, type AddressInfo, type Socket } from 'node:net';
import t from 'tap';
import { drainBody } from '../../../helpers/request-context.js';
import { FakeUpstream } from '../../../helpers/fake-upstream.js';
import { proxyHarness } from './helpers/setup.js';

/** undici frees a socket a tick after the body ends; a request sent sooner opens another socket instead of reusing it. */
const idle = (): Promise<void> => new Promise((r) => setTimeout(r, 5));

t.test('a reused socket closed or reset before any response byte: one resend on a new connection', async (t) => {
  const up = await FakeUpstream.start();
  const h = await proxyHarness([{ id: 'a', to: up }]);
  t.teardown(async () => (await h.close(), await up.close()));
  let failures = 0;
  for (let i = 0; i < 20; i++) {
    const race = i % 2 === 0 ? 'close-headers' : 'rst-headers';
    up.enqueue('json', race, 'json');
    for (let k = 0; k < 2; k++) {
      await idle();
      const ctx = await h.run();
      if (ctx.response.status !== 200) failures++;
      if (k === 1) t.equal(ctx.response.headers['x-dgp-attempts'], 'a=200', `${race}: one attempt as far as retries go`);
    }
  }
  t.equal(failures, 0, 'client-visible failures: 0 of 40');
  const races = up.requests.filter((r) => r.behaviour !== 'json');
  t.equal(races.length, 20);
  for (const r of races) {
    const before = up.requests[r.seq - 1]!;
    const resent = up.requests[r.seq + 1]!;
    t.equal(r.connectionId, before.connectionId, 'the race hit a reused socket');
    t.not(resent.connectionId, r.connectionId, 'the resend went out on another connection');
    t.notOk(up.requests.some((x) => x.connectionId === resent.connectionId && x.seq < resent.seq), 'a new one, never used before');
    t.same(resent.body, r.body, 'the same request body');
  }
  t.equal(up.requests.length, 60, 'each race request sent exactly twice, everything else once');
  t.match(await h.fctx.registry.getSingleMetricAsString('dgp_upstream_keepalive_resends_total'), `dgp_upstream_keepalive_resends_total{cluster="${h.cluster}"} 20`);
});

t.test('no resend: a fresh socket closed before any byte, or retry_on without reset', async (t) => {
  const up = await FakeUpstream.start();
  const fresh = await proxyHarness([{ id: 'a', to: up }]);
  const noReset = await proxyHarness([{ id: 'a', to: up }], { retry_on: ['connect_error', 503] });
  t.teardown(async () => (await fresh.close(), await noReset.close(), await up.close()));
  up.enqueue('close-headers');
  const first = await fresh.run();
  t.equal(first.response.status, 503, 'the first request on a new connection: the server may have read it, so no resend');
  t.equal(up.requests.length, 1);
  up.enqueue('json', 'close-headers');
  await noReset.run();
  await idle();
  const cut = await noReset.run();
  t.equal(cut.response.status, 503, 'retry_on without reset: the race is the client\'s error');
  t.equal(up.requests.length, 3, 'sent once');
});

/**
 * A raw HTTP/1.1 server: the first request on each connection gets a keep-alive JSON answer; the second one `second`
 * (a partial status line, or an SSE head and one event) and then a reset. Counts every request it reads.
 */
async function startScripted(second: string): Promise<{ port: number; requests: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const state = { requests: 0 };
  const server = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
    let buffered = '';
    let onThis = 0;
    s.on('data', (c: Buffer) => {
      buffered += c.toString('latin1');
      for (;;) {
        const head = buffered.indexOf('\r\n\r\n');
        if (head < 0) return;
        const length = Number(/content-length: *(\d+)/i.exec(buffered.slice(0, head))?.[1] ?? 0);
        if (buffered.length < head + 4 + length) return;
        buffered = buffered.slice(head + 4 + length);
        state.requests++;
        if (++onThis === 1) {
          const body = '{"id":"x","object":"chat.completion","choices":[]}';
          s.write(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\nconnection: keep-alive\r\n\r\n${body}`);
        } else {
          s.write(second);
          setTimeout(() => s.resetAndDestroy(), 20);
        }
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    get requests() {
      return state.requests;
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

t.test('never after a response byte: a partial head or a started stream on a reused socket is not sent again', async (t) => {
  const partial = await startScripted('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n');
  const event = 'data: {"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"hi"}}]}\n\n';
  const stream = await startScripted(`HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n${event.length.toString(16)}\r\n${event}\r\n`);
  const hp = await proxyHarness([{ id: 'a', to: partial.port }]);
  const hs = await proxyHarness([{ id: 'a', to: stream.port }]);
  t.teardown(async () => (await hp.close(), await hs.close(), await partial.close(), await stream.close()));

  t.equal((await hp.run()).response.status, 200);
  await idle();
  const cut = await hp.run();
  t.equal(cut.response.status, 503, 'bytes of a head arrived: a failure, not a resend');
  t.equal(partial.requests, 2, 'the upstream read the request once');

  t.equal((await hs.run()).response.status, 200);
  await idle();
  const ctx = await hs.run({ body: { model: 'm', stream: true, messages: [] } });
  const d = await drainBody(ctx);
  t.match(d.text, '"content":"hi"', 'the event that arrived reached the client');
  t.match(d.error, { code: 'DGP_ERR_UPSTREAM_STREAM_CUT' }, 'then the cut, surfaced');
  t.equal(stream.requests, 2, 'the upstream read the request once');
  hs.filter.onComplete(ctx);
});
