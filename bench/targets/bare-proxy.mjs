// The Node floor: the least any Node gateway must do. A node:http server that streams each request to the upstream
// through one keep-alive undici Pool and streams the answer back, minus hop-by-hop headers (RFC 9110 §7.6.1).
// No routing, no logging, no metrics. Plain ESM, run as its own child process.
//   node bench/targets/bare-proxy.mjs --upstream http://127.0.0.1:<port>   (reports its port over IPC or stdout)
import http from 'node:http';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';

const { values } = parseArgs({ options: { upstream: { type: 'string' }, port: { type: 'string', default: '0' } } });
if (!values.upstream) {
  process.stderr.write('bare-proxy: --upstream http://host:port is required\n');
  process.exit(2);
}
// Same pool rules as the gateway: no connection cap (dgp.filter.llm.proxy's default), and a keep-alive shorter than
// the upstream's, so the pool never reuses a socket being closed.
const pool = new Pool(values.upstream, { connections: null, pipelining: 1, keepAliveTimeout: 4_000 });
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'host']);

function forwardHeaders(src) {
  const out = {};
  for (const name in src) if (!HOP_BY_HOP.has(name)) out[name] = src[name];
  return out;
}

const server = http.createServer((req, res) => {
  const ac = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) ac.abort();
  });
  pool.stream(
    { path: req.url, method: req.method, headers: forwardHeaders(req.headers), body: req, signal: ac.signal },
    ({ statusCode, headers }) => {
      res.writeHead(statusCode, forwardHeaders(headers));
      return res;
    },
    (err) => {
      if (!err) return;
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' }).end(`{"error":{"message":"bare proxy: ${err.code ?? err.message}"}}`);
      else res.destroy(err);
    },
  );
});
server.keepAliveTimeout = 65_000;
server.headersTimeout = 66_000;
server.listen(Number(values.port), '127.0.0.1', () => {
  const { port } = server.address();
  if (process.send) process.send({ ready: true, port });
  else process.stdout.write(`bare proxy on http://127.0.0.1:${port} -> ${values.upstream}\n`);
});
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
