// The benchmark's mock OpenAI upstream, run as its own child process: answers every POST with the ~1 KB chat
// completion, or with the 20-chunk SSE stream when the body asks for `"stream":true`. Deterministic and silent.
// A request with `x-bench-slow: <chunks>,<gap ms>,<pad bytes>` gets the slow scenario's stream instead: each chunk's
// content stamped with the CLOCK_MONOTONIC microsecond it was written (`@<µs>@`), padded, `gap` ms apart.
//   node bench/mock/mock-upstream.mjs [--latency <ms>] [--chunk-gap <ms>]   (reports its port over IPC or stdout)
import http from 'node:http';
import { parseArgs } from 'node:util';
import { slowEvent, streamEvents, STREAM_TAIL, unaryBody, usageEvent } from './payloads.mjs';

const { values } = parseArgs({ options: { latency: { type: 'string', default: '0' }, 'chunk-gap': { type: 'string', default: '0' }, port: { type: 'string', default: '0' } } });
const LATENCY_MS = Number(values.latency);
const CHUNK_GAP_MS = Number(values['chunk-gap']);
const UNARY = unaryBody();
const EVENTS = streamEvents(20);
const UNARY_HEADERS = { 'content-type': 'application/json', 'content-length': String(UNARY.length) };
const SSE_HEADERS = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' };

function writeStream(res) {
  res.writeHead(200, SSE_HEADERS);
  if (CHUNK_GAP_MS <= 0) {
    for (const e of EVENTS) res.write(e);
    res.end();
    return;
  }
  let i = 0;
  // A gap between chunks models a model generating tokens; the first chunk goes out at once.
  const next = () => {
    if (res.destroyed) return;
    res.write(EVENTS[i++]);
    if (i < EVENTS.length) setTimeout(next, CHUNK_GAP_MS);
    else res.end();
  };
  next();
}

function writeSlowStream(res, spec) {
  const [chunks, gap, pad] = spec.split(',').map(Number);
  if (!(chunks > 0 && gap >= 0 && pad >= 0)) {
    res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":{"message":"mock upstream: x-bench-slow takes <chunks>,<gap ms>,<pad bytes>"}}');
    return;
  }
  const padding = 'x'.repeat(pad);
  res.writeHead(200, SSE_HEADERS);
  let i = 0;
  const next = () => {
    if (res.destroyed) return;
    res.write(slowEvent(i, Number(process.hrtime.bigint() / 1000n), padding, i === chunks - 1));
    if (++i < chunks) setTimeout(next, gap);
    else res.end(usageEvent() + STREAM_TAIL);
  };
  next();
}

function answer(req, res, body) {
  if (req.method !== 'POST') {
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"mock upstream: POST only"}}');
    return;
  }
  const slow = req.headers['x-bench-slow'];
  if (typeof slow === 'string' && body.includes('"stream":true')) writeSlowStream(res, slow);
  else if (body.includes('"stream":true')) writeStream(res);
  else res.writeHead(200, UNARY_HEADERS).end(UNARY);
}

const server = http.createServer((req, res) => {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (c) => (body += c));
  req.on('end', () => (LATENCY_MS > 0 ? setTimeout(answer, LATENCY_MS, req, res, body) : answer(req, res, body)));
});
// Longer than any client's idle keep-alive, so the mock never closes a pooled socket under a proxy's feet.
server.keepAliveTimeout = 65_000;
server.headersTimeout = 66_000;
server.listen(Number(values.port), '127.0.0.1', () => {
  const { port } = server.address();
  if (process.send) process.send({ ready: true, port });
  else process.stdout.write(`mock upstream on http://127.0.0.1:${port}\n`);
});
// The parent's death closes the IPC channel: leave with it, never linger as an orphan.
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
