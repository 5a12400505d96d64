// Reliability property 21 as it happens between hosts, through the real gateway: an upstream that closes idle
// keep-alive sockets 150 ms after an answer without announcing it (no Keep-Alive hint), 10 ms away (a latency relay), and a
// gateway that keeps idle sockets longer (keep_alive_timeout 160ms), retries off. Sequential requests paced around the
// upstream's timeout cross its closing FIN on the wire. With the resend: 0 client-visible failures and every request
// processed exactly once. With keep_alive_timeout below the upstream's: no race at all. With `reset` left out of
// retry_on (no resend) the race reaches clients; that count is reported, not asserted (it depends on timing).
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import t from 'tap';
import { request } from 'undici';
import { startGateway } from '../../../helpers/gateway.js';
import { startLatencyRelay, type LatencyRelay } from '../../../helpers/latency-relay.js';
import { gatewayYaml, metricValue } from '../../../e2e/providers/helpers.js';

// Node's exit cleanup (Environment::CleanupHandles, seen with perf) can spin forever on a write or shutdown request
// left on one of the sockets this test resets mid-race, after every assertion has passed. Once the loop is empty
// everything has been reported: leave without that cleanup.
process.once('beforeExit', (code) => process.exit(code));

const UPSTREAM_IDLE_MS = 100;
const LATENCY_MS = 10;

/** mulberry32: the same pacing on every run. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

interface Upstream {
  server: Server;
  relay: LatencyRelay;
  /** Request bodies the upstream read, in order. */
  processed: string[];
  idleTimers: Map<Socket, NodeJS.Timeout>;
}

async function startUpstream(): Promise<Upstream> {
  const processed: string[] = [];
  const idleTimers = new Map<Socket, NodeJS.Timeout>();
  const server = createServer((req, res) => {
    clearTimeout(idleTimers.get(req.socket));
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      processed.push(body);
      const text = JSON.stringify({ id: 'c', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }] });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    });
    // The upstream's own idle close, exactly UPSTREAM_IDLE_MS after an answer (node:http's keepAliveTimeout waits a
    // second longer and announces itself in a Keep-Alive header, which undici would honour).
    res.on('finish', () => idleTimers.set(req.socket, setTimeout(() => req.socket.destroy(), UPSTREAM_IDLE_MS).unref()));
  });
  server.keepAliveTimeout = 0;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const relay = await startLatencyRelay((server.address() as AddressInfo).port, LATENCY_MS);
  return { server, relay, processed, idleTimers };
}

async function closeUpstream(u: Upstream): Promise<void> {
  for (const timer of u.idleTimers.values()) clearTimeout(timer);
  await u.relay.close();
  await new Promise<void>((r) => {
    u.server.close(() => r());
    // A connection the relay opened just before it closed can reach the server after closeAllConnections(); with
    // keepAliveTimeout 0 nothing would ever end it, so the sweep repeats until the server has closed.
    const sweep = setInterval(() => u.server.closeAllConnections(), 20);
    u.server.once('close', () => clearInterval(sweep));
    u.server.closeAllConnections();
  });
}

/** n sequential requests, each sent `gap()` ms after the previous answer arrived; returns the failed statuses. */
async function paced(base: string, n: number, gap: () => number, tag: string): Promise<number[]> {
  const failed: number[] = [];
  for (let i = 0; i < n; i++) {
    await new Promise((r) => setTimeout(r, gap()));
    const res = await request(`${base}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: `${tag}-${i}` }] }),
    });
    await res.body.text();
    if (res.statusCode !== 200) failed.push(res.statusCode);
  }
  return failed;
}

t.test('keep-alive race across a network: resent, never duplicated (property 21)', async (t) => {
  const ups = { late: await startUpstream(), early: await startUpstream(), bare: await startUpstream() };
  const gw = await startGateway(
    gatewayYaml([
      { name: 'late', cluster: 'late', endpoints: [{ id: 'late', provider: 'openai', port: ups.late.relay.port }], proxy: '{keep_alive_timeout: 160ms}' },
      { name: 'early', cluster: 'early', endpoints: [{ id: 'early', provider: 'openai', port: ups.early.relay.port }], proxy: '{keep_alive_timeout: 50ms}' },
      { name: 'bare', cluster: 'bare', endpoints: [{ id: 'bare', provider: 'openai', port: ups.bare.relay.port }], proxy: '{keep_alive_timeout: 160ms, retry_on: [connect_error, 503]}' },
    ]),
  );
  t.teardown(async () => {
    await gw.close();
    for (const u of Object.values(ups)) await closeUpstream(u);
  });
  // Around the upstream's idle timeout: a request leaves just before or just after the upstream closes the socket.
  const around = (rnd: () => number) => () => UPSTREAM_IDLE_MS - 30 + rnd() * 35;
  const N = 20;

  const lateFailed = await paced(gw.url('late'), N, around(prng(21)), 'late');
  const resends = await metricValue(gw, 'dgp_upstream_keepalive_resends_total', { cluster: 'late' });
  t.comment(`late: ${ups.late.relay.accepted} connections for ${N} requests`);
  t.same(lateFailed, [], `client-visible failures: 0 of ${N} (${resends} requests met the race and were resent)`);
  const bodies = ups.late.processed.map((b) => (JSON.parse(b) as { messages: Array<{ content: string }> }).messages[0]!.content);
  t.same(bodies, Array.from({ length: N }, (_, i) => `late-${i}`), 'the upstream processed every request exactly once, in order');

  const earlyFailed = await paced(gw.url('early'), 10, around(prng(22)), 'early');
  t.same(earlyFailed, [], 'keep_alive_timeout below the upstream\'s: no failure');
  t.equal(await metricValue(gw, 'dgp_upstream_keepalive_resends_total', { cluster: 'early' }), 0, 'and no race at all: the gateway closes idle sockets first');

  const bareFailed = await paced(gw.url('bare'), N, around(prng(21)), 'bare');
  t.comment(`without the resend (retry_on without reset): ${bareFailed.length} of ${N} requests failed (${bareFailed.join(', ') || 'none'})`);
  t.ok(bareFailed.every((s) => s === 503), 'those that failed are 503s, never a duplicate');
  t.equal(ups.bare.processed.length, N - bareFailed.length, 'a failed race request was never processed upstream');
});
