// Header hygiene (RFC 9110 §7.6.1): hop-by-hop and Connection-nominated headers go before the gateway adds its own.
import t from 'tap';
import { buildUpstreamHeaders, connectionTokens, filterResponseHeaders, stripHopByHop } from '../../../core/index.js';

t.test('hop-by-hop and Connection-nominated headers are stripped, case-insensitively', async (t) => {
  const out = stripHopByHop({
    connection: 'keep-alive, X-Secret-Hop , Upgrade',
    'keep-alive': 'timeout=5',
    te: 'trailers',
    trailer: 'x-t',
    'transfer-encoding': 'chunked',
    upgrade: 'h2c',
    'proxy-connection': 'x-other',
    'proxy-authorization': 'Basic abc',
    'x-secret-hop': '1',
    'x-other': '2',
    'x-kept': 'yes',
    accept: 'text/event-stream',
  });
  t.same(out, { 'x-kept': 'yes', accept: 'text/event-stream' });
  t.same([...connectionTokens({ connection: ['a, B', 'c'], 'proxy-connection': 'd' })], ['a', 'b', 'c', 'd']);
});

t.test('values with CR, LF or NUL are dropped; multi-values are kept as arrays', async (t) => {
  const out = stripHopByHop({ 'x-bad': 'a\r\nx-injected: 1', 'x-nul': 'a\0b', 'x-multi': ['1', 'two\nlines', '3'], ':authority': 'h' });
  t.same(out, { 'x-multi': ['1', '3'] });
});

t.test('Connection: authorization cannot strip or spoof the injected key', async (t) => {
  const out = buildUpstreamHeaders(
    { connection: 'authorization, x-api-key, user-agent', authorization: 'Bearer sk-gw-CANARY', 'x-api-key': 'sk-gw-CANARY', host: 'evil', 'content-length': '999', expect: '100-continue' },
    { inject: { authorization: 'Bearer sk-prov', 'user-agent': 'dgp-gateway/1.0.0' }, dropClientCredentials: true },
  );
  t.same(out, { authorization: 'Bearer sk-prov', 'user-agent': 'dgp-gateway/1.0.0' });
});

t.test('without a gateway key the client Authorization passes (Pixiu), unless Connection nominates it', async (t) => {
  const pass = buildUpstreamHeaders({ authorization: 'Bearer client', 'x-api-key': 'k' }, { inject: { 'user-agent': 'ua' }, dropClientCredentials: false });
  t.same(pass, { authorization: 'Bearer client', 'x-api-key': 'k', 'user-agent': 'ua' });
  const hop = buildUpstreamHeaders({ authorization: 'Bearer client', connection: 'authorization' }, { inject: { 'user-agent': 'ua' }, dropClientCredentials: false });
  t.same(hop, { 'user-agent': 'ua' });
  t.throws(() => buildUpstreamHeaders({}, { inject: { authorization: 'Bearer a\r\nb' }, dropClientCredentials: true }), /CR, LF or NUL/);
  const dropped = buildUpstreamHeaders({ 'anthropic-version': 'x', accept: 'a' }, { inject: {}, dropClientCredentials: false, drop: ['Anthropic-Version'] });
  t.same(dropped, { accept: 'a' }, 'a codec can drop more client headers');
});

t.test('response headers: hop-by-hop and content-length dropped, set-cookie arrays kept', async (t) => {
  const out = filterResponseHeaders({
    'content-type': 'application/json',
    'content-length': '10',
    connection: 'keep-alive, x-hop',
    'x-hop': 'v',
    'keep-alive': 'timeout=5',
    'transfer-encoding': 'chunked',
    'set-cookie': ['a=1', 'b=2'],
    'x-request-id': 'up-1',
  });
  t.same(out, { 'content-type': 'application/json', 'set-cookie': ['a=1', 'b=2'], 'x-request-id': 'up-1' });
});
