// The precise connector on loopback: a connect that hangs (a TLS handshake nobody answers) is cut at the configured
// timeout as undici's ConnectTimeoutError; a normal connect leaves no timer armed; TLS still verifies certificates.
import { readFileSync } from 'node:fs';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { fileURLToPath } from 'node:url';
import t, { type Test } from 'tap';
import { errors, Pool, type buildConnector } from 'undici';
import { classifyTransportError } from '../../../core/index.js';
import { preciseConnector } from '../../../core/upstream/connector.js';

const TLS = fileURLToPath(new URL('../../fixtures/tls', import.meta.url));
const CERT = readFileSync(`${TLS}/cert.pem`, 'utf8');
const KEY = readFileSync(`${TLS}/key.pem`, 'utf8');
// Another self-signed certificate for the same names: a CA that must not vouch for the fixture server.
const OTHER_CERT = readFileSync(fileURLToPath(new URL('../reload/fixtures/tls-b/cert.pem', import.meta.url)), 'utf8');

type Outcome = { err: Error; socket?: undefined } | { err?: undefined; socket: Socket };

function connectWith(connector: buildConnector.connector, port: number, protocol: 'http:' | 'https:', servername?: string): Promise<Outcome> {
  return new Promise((resolve) => {
    const opts = { hostname: '127.0.0.1', host: `127.0.0.1:${port}`, protocol, port: String(port), ...(servername ? { servername } : {}) };
    connector(opts, (err, socket) => resolve(err ? { err } : { socket: socket! }));
  });
}

async function listen(t: Test, server: TcpServer): Promise<number> {
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => (sockets.add(s), s.on('error', () => undefined), s.once('close', () => sockets.delete(s))));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => (sockets.forEach((s) => s.destroy()), server.close(() => r()))));
  return (server.address() as { port: number }).port;
}

/** Records the timers armed by one synchronous call, and every timer cleared until teardown. */
function spyTimers(t: Test): { during<T>(fn: () => T): T; armed: NodeJS.Timeout[]; cleared: Set<unknown> } {
  const realSet = globalThis.setTimeout;
  const realClear = globalThis.clearTimeout;
  const armed: NodeJS.Timeout[] = [];
  const cleared = new Set<unknown>();
  globalThis.clearTimeout = ((h?: NodeJS.Timeout) => (cleared.add(h), realClear(h))) as typeof clearTimeout;
  t.teardown(() => void (globalThis.clearTimeout = realClear));
  return {
    armed,
    cleared,
    during<T>(fn: () => T): T {
      globalThis.setTimeout = ((...args: Parameters<typeof realSet>) => {
        const h = realSet(...args);
        armed.push(h);
        return h;
      }) as typeof setTimeout;
      try {
        return fn();
      } finally {
        globalThis.setTimeout = realSet;
      }
    },
  };
}

t.test('a hanging connect is cut at the timeout, as a connect timeout undici and the classifier recognise', async (t) => {
  // Accepts TCP and never answers the ClientHello: the https connect hangs in the TLS handshake.
  const silent = createTcpServer();
  const closed: Promise<void>[] = [];
  // resume(): a paused socket never reads the EOF, so it would never see the client go away.
  silent.on('connection', (s: Socket) => closed.push(new Promise((r) => s.resume().once('close', () => r()))));
  const port = await listen(t, silent);

  const connector = preciseConnector({ timeout: 300, ca: CERT });
  const at = performance.now();
  const out = await connectWith(connector, port, 'https:');
  const took = performance.now() - at;
  t.ok(took >= 295 && took < 400, `cut after ${took.toFixed(0)} ms (timeout 300 ms)`);
  t.ok(out.err instanceof errors.ConnectTimeoutError, 'undici ConnectTimeoutError');
  t.match(out.err, { name: 'ConnectTimeoutError', code: 'UND_ERR_CONNECT_TIMEOUT', message: /^Connect Timeout Error \(attempted address(es)?: .*127\.0\.0\.1.*timeout: 300ms\)$/ });
  t.match(classifyTransportError(out.err), { kind: 'connect_error', code: 'UND_ERR_CONNECT_TIMEOUT', timedOut: true });
  t.equal(closed.length, 1);
  await closed[0];
  t.pass('the hanging socket was destroyed (the server saw it close)');

  // Through a Pool, as the proxy uses it: the request fails with the same error, as quickly.
  const pool = new Pool(`https://127.0.0.1:${port}`, { connect: preciseConnector({ timeout: 200, ca: CERT }) });
  t.teardown(() => pool.destroy());
  const at2 = performance.now();
  const err = await pool.request({ method: 'GET', path: '/' }).then(() => undefined, (e: unknown) => e);
  const took2 = performance.now() - at2;
  t.match(err, { name: 'ConnectTimeoutError', code: 'UND_ERR_CONNECT_TIMEOUT' });
  t.ok(took2 >= 195 && took2 < 300, `pool request failed after ${took2.toFixed(0)} ms (timeout 200 ms)`);
});

t.test('a normal connect works and leaves no timer armed; timeout 0 arms none', async (t) => {
  const port = await listen(t, createTcpServer());
  const spy = spyTimers(t);
  const connector = preciseConnector({ timeout: 5000 });
  const pending = spy.during(() => connectWith(connector, port, 'http:'));
  t.equal(spy.armed.length, 1, 'one timer per connect');
  t.equal(spy.armed[0]!.hasRef(), false, 'unref: the timer alone keeps nothing alive');
  const out = await pending;
  t.ok(out.socket, 'connected');
  t.equal(out.socket!.remoteAddress, '127.0.0.1');
  t.ok(spy.cleared.has(spy.armed[0]), 'the timer was cleared on connect');
  out.socket!.destroy();

  const refused = await new Promise<number>((r) => {
    const s = createTcpServer().listen(0, '127.0.0.1', () => ((p) => s.close(() => r(p)))((s.address() as { port: number }).port));
  });
  const failing = spy.during(() => connectWith(connector, refused, 'http:'));
  const fail = await failing;
  t.match(fail.err, { code: 'ECONNREFUSED' }, 'a connect error passes through unchanged');
  t.ok(spy.cleared.has(spy.armed[1]), 'the timer was cleared on error');

  const none = preciseConnector({ timeout: 0 });
  const before = spy.armed.length;
  const out0 = await spy.during(() => connectWith(none, port, 'http:'));
  t.ok(out0.socket, 'connected without a timeout');
  t.equal(spy.armed.length, before, 'timeout 0: no timer');
  out0.socket!.destroy();
});

t.test('TLS: certificates are still verified (ca, servername)', async (t) => {
  const server = createTlsServer({ cert: CERT, key: KEY }, (s: TLSSocket) => s.end('hi'));
  const port = await listen(t, server);

  const ok = await connectWith(preciseConnector({ timeout: 2000, ca: CERT }), port, 'https:');
  t.ok(ok.socket, 'the fixture CA vouches for the server');
  t.equal((ok.socket as TLSSocket).authorized, true);
  ok.socket!.destroy();

  const noCa = await connectWith(preciseConnector({ timeout: 2000 }), port, 'https:');
  t.match(noCa.err, { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }, 'without the CA a self-signed server is refused');
  t.match(classifyTransportError(noCa.err), { kind: 'connect_error', timedOut: false });

  const wrongCa = await connectWith(preciseConnector({ timeout: 2000, ca: OTHER_CERT }), port, 'https:');
  t.ok(wrongCa.err, `another CA does not vouch for it (${wrongCa.err?.message})`);
  t.match(classifyTransportError(wrongCa.err), { kind: 'connect_error' });

  const wrongName = await connectWith(preciseConnector({ timeout: 2000, ca: CERT }), port, 'https:', 'api.example.com');
  t.match(wrongName.err, { code: 'ERR_TLS_CERT_ALTNAME_INVALID' }, 'the servername is checked against the certificate');
});
