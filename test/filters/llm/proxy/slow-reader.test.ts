// A client that stops reading a proxied stream (issue 19 item 8), end to end: the listener's idle_timeout (300 ms)
// closes the client's stream once the gateway's writes cannot drain, and the proxy aborts the upstream stream, which
// would otherwise stay open and paused forever.
import { connect } from 'node:net';
import { performance } from 'node:perf_hooks';
import t from 'tap';
import { proxyConf, startGateway } from '../../../helpers/gateway.js';
import { startScriptedUpstream } from './helpers/scripted-upstream.js';

t.test('a client that stops reading: its stream is closed and the upstream aborted', async (t) => {
  let upstreamClosedAt: number | undefined;
  let written = 0;
  const event = `data: {"choices":[{"delta":{"content":"${'x'.repeat(60_000)}"}}]}\n\n`;
  const up = await startScriptedUpstream((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.on('close', () => (upstreamClosedAt = performance.now()));
    // An endless stream that honours backpressure: it pauses when the gateway stops reading.
    const pump = (): void => {
      while (!res.destroyed) {
        written += event.length;
        if (!res.write(event)) break;
      }
      if (!res.destroyed) res.once('drain', pump);
    };
    pump();
  });
  const yaml = proxyConf({
    filters: `
                - name: dgp.filter.llm.proxy
                  config: {}`,
    clusters: `
    - name: chat
      endpoints:
        - id: ep
          socket_address: {address: 127.0.0.1, port: ${up.port}}`,
  }).replace('address: {socket_address: {address: 127.0.0.1, port: 0}}', 'address: {socket_address: {address: 127.0.0.1, port: 0}}\n      config: {idle_timeout: 300ms}');
  const gw = await startGateway(yaml);
  t.teardown(async () => (await gw.close(), await up.close()));

  const sock = connect(gw.gw.port('main'), '127.0.0.1');
  await new Promise((r) => sock.once('connect', r));
  const body = '{"model":"m","stream":true,"messages":[]}';
  sock.write(`POST /v1/chat/completions HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
  sock.pause(); // reads nothing from now on
  sock.on('error', () => undefined);
  const stoppedAt = performance.now();
  const deadline = stoppedAt + 5000;
  while (upstreamClosedAt === undefined && performance.now() < deadline) await new Promise((r) => setTimeout(r, 25));
  t.ok(upstreamClosedAt !== undefined, `the upstream stream was aborted ${upstreamClosedAt === undefined ? 'never' : `${Math.round(upstreamClosedAt - stoppedAt)} ms`} after the client stopped reading (${(written / 1e6).toFixed(1)} MB written upstream)`);
  const closed = new Promise<void>((r) => sock.once('close', () => r()));
  sock.resume();
  await closed;
  t.pass('the client connection was closed');
});
