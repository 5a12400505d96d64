// A kept listener socket takes what Node lets a bound server change: keep-alive and request timeouts, and a new TLS
// certificate (setSecureContext: new handshakes get it, the port never closes). What it cannot take is reported:
// max_header_bytes and the admin address keep their running value (restart_required), and HTTP ⇄ HTTPS on the same
// address fails the reload with a hint.
import { readFileSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { connect as netConnect, type Socket } from 'node:net';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import t from 'tap';
import { request } from 'undici';
import { startGateway } from '../../helpers/gateway.js';
import { TAG_PLUGIN, TLS_A, TLS_B, getTag, lastReload, tagConfig, waitFor } from './helpers.js';

const tlsListener = (tag: string) =>
  tagConfig({ listeners: [{ name: 'secure', port: 0, tag, extra: '      protocol_type: HTTPS\n      config: {cert_file: tls/cert.pem, key_file: tls/key.pem}' }] });

const peerName = (port: number): Promise<string> =>
  new Promise((resolve, reject) => {
    const s = tlsConnect({ port, host: '127.0.0.1', rejectUnauthorized: false }, () => {
      const cn = s.getPeerCertificate().subject?.CN;
      s.destroy();
      resolve(String(cn));
    });
    s.on('error', reject);
  });

t.test('replacing the cert and key files swaps the certificate on the same socket (watching referenced files)', async (t) => {
  const files = { 'tls/cert.pem': readFileSync(join(TLS_A, 'cert.pem'), 'utf8'), 'tls/key.pem': readFileSync(join(TLS_A, 'key.pem'), 'utf8') };
  const g = await startGateway(tlsListener('a'), { pluginDirs: [TAG_PLUGIN], watch: true, files });
  t.teardown(() => g.close());
  const port = g.gw.port('secure');
  t.equal(await peerName(port), 'localhost');
  t.ok(g.gw.watched?.files.includes(join(g.dir, 'tls/cert.pem')), 'the cert file is watched');
  await copyFile(join(TLS_B, 'key.pem'), join(g.dir, 'tls/key.pem'));
  await copyFile(join(TLS_B, 'cert.pem'), join(g.dir, 'tls/cert.pem'));
  await waitFor(async () => (await peerName(port)) === 'dgp-reloaded', 3000, 'new handshakes get the new certificate');
  t.equal(g.gw.port('secure'), port, 'same socket, same port');
  t.match(await lastReload(g.adminUrl), { ok: true, trigger: 'watch' });
  t.ok(g.logs.some((l) => l.msg === 'TLS certificate reloaded; new connections use it'));
});

t.test('a shorter idle_timeout applies to the kept socket', async (t) => {
  const g = await startGateway(tagConfig({ tag: 'a' }), { pluginDirs: [TAG_PLUGIN] });
  t.teardown(() => g.close());
  const port = g.gw.port('main');
  await g.writeConfig(tagConfig({ listeners: [{ name: 'main', port: 0, tag: 'b', extra: '      config: {idle_timeout: 200ms}' }] }));
  t.match(await g.gw.reload(), { ok: true });
  t.equal(g.gw.port('main'), port, 'the socket was kept');
  const socket: Socket = netConnect(port, '127.0.0.1');
  const closed = new Promise<number>((resolve) => socket.on('close', () => resolve(Date.now())));
  let text = '';
  socket.on('data', (d) => (text += d.toString()));
  socket.write('GET /unary HTTP/1.1\r\nHost: x\r\n\r\n');
  await waitFor(() => text.includes('"tag":"b"'), 2000, 'response');
  const answeredAt = Date.now();
  // Node closes an idle keep-alive socket about 1 s after keepAliveTimeout; with the old 5 s it would take 6 s.
  const closedAt = await Promise.race([closed, new Promise<number>((r) => setTimeout(() => r(-1), 5000))]);
  t.not(closedAt, -1, 'the server closed the idle keep-alive connection');
  t.ok(closedAt - answeredAt < 4000, `closed after ${closedAt - answeredAt} ms idle, per the new idle_timeout`);
});

t.test('settings a running process cannot change are reported as restart_required', async (t) => {
  const g = await startGateway(tagConfig({ tag: 'a' }), { pluginDirs: [TAG_PLUGIN] });
  t.teardown(() => g.close());
  const admin = g.gw.adminAddress.port;
  const next = tagConfig({ listeners: [{ name: 'main', port: 0, tag: 'b', extra: '      config: {max_header_bytes: 65536}' }] });
  await g.writeConfig(`${next}\nworkers: {threads: 7}\n`);
  const result = await g.gw.reload();
  t.match(result, { ok: true });
  t.match(result.restartRequired, [/workers\.threads \d+ → 7/, /listener main: max_header_bytes 16384 → 65536/]);
  t.equal(await getTag(g.url()), 'b', 'everything else was applied');
  t.match(await lastReload(g.adminUrl), { ok: true, restart_required: [/workers\.threads/, /max_header_bytes/] });
  t.ok(g.logs.some((l) => l.level === 'warn' && /keep their running value until a restart/.test(String(l.msg))));
  const big = await request(`${g.url()}/unary`, { headers: { 'x-big': 'a'.repeat(20_000) } });
  await big.body.dump();
  t.equal(big.statusCode, 431, 'the running header limit still applies');
  t.equal(g.gw.adminAddress.port, admin, 'the admin listener did not move');
});

t.test('HTTP → HTTPS on the same address fails the reload with a hint; the old listener keeps serving', async (t) => {
  const files = { 'tls/cert.pem': readFileSync(join(TLS_A, 'cert.pem'), 'utf8'), 'tls/key.pem': readFileSync(join(TLS_A, 'key.pem'), 'utf8') };
  const g = await startGateway(tagConfig({ tag: 'plain' }), { pluginDirs: [TAG_PLUGIN], files });
  t.teardown(() => g.close());
  await g.writeConfig(tlsListener('x').replace('name: secure', 'name: main'));
  const result = await g.gw.reload();
  t.match(result, { ok: false, code: 'DGP_ERR_RELOAD_FAILED', error: /conf\.yaml:\d+:\d+ .*switches between HTTP and HTTPS.*new port/ });
  t.equal(await getTag(g.url()), 'plain');
});
