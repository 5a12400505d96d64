// The endpoint's key never reaches a client (issue 19 item 1), through the real gateway: an upstream that echoes
// `sk-prov-X` in a chunked 401 body (no Content-Length) or in an SSE `event: error` after a first good event, written
// with the key split across TCP writes — pass-through (OpenAI endpoint) and translation (Anthropic, Gemini endpoints)
// for an OpenAI client. Six leak paths; the client's bytes never hold the key, the rest of the answer arrives intact.
import t from 'tap';
import { request } from 'undici';
import { startGateway } from '../../../helpers/gateway.js';
import { gatewayYaml } from '../../../e2e/providers/helpers.js';
import { startScriptedUpstream, writePieces, type ScriptedRequest } from './helpers/scripted-upstream.js';

const KEY = 'sk-prov-X';
const PROVIDERS = ['openai', 'anthropic', 'gemini'] as const;
type Provider = (typeof PROVIDERS)[number];

/** The provider's error JSON naming the key, cut in two inside the key. */
function errorPieces(p: Provider, key: string): [string, string] {
  const message = `Incorrect API key provided: Bearer ${key}`;
  const body =
    p === 'anthropic'
      ? JSON.stringify({ type: 'error', error: { type: 'authentication_error', message } })
      : p === 'gemini'
        ? JSON.stringify({ error: { code: 401, message, status: 'UNAUTHENTICATED' } })
        : JSON.stringify({ error: { message, type: 'invalid_request_error', code: 'invalid_api_key' } });
  const cut = body.indexOf(key) + 5;
  return [body.slice(0, cut), body.slice(cut)];
}

/** A 200 stream: one good event in the provider's format, then its error event carrying the key (split). */
function ssePieces(p: Provider, key: string): string[] {
  const [a, b] = errorPieces(p, key);
  if (p === 'anthropic') {
    const start = { type: 'message_start', message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'm', content: [], stop_reason: null, usage: { input_tokens: 1, output_tokens: 0 } } };
    const block = { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } };
    const delta = { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'hello' } };
    return [
      `event: message_start\ndata: ${JSON.stringify(start)}\n\nevent: content_block_start\ndata: ${JSON.stringify(block)}\n\nevent: content_block_delta\ndata: ${JSON.stringify(delta)}\n\n`,
      `event: error\ndata: ${a}`,
      `${b}\n\n`,
    ];
  }
  if (p === 'gemini') {
    const first = { candidates: [{ content: { role: 'model', parts: [{ text: 'hello' }] }, index: 0 }] };
    return [`data: ${JSON.stringify(first)}\r\n\r\n`, `data: ${a}`, `${b}\r\n\r\n`];
  }
  const chunk = { id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content: 'hello' }, finish_reason: null }] };
  return [`data: ${JSON.stringify(chunk)}\n\n`, `event: error\ndata: ${a}`, `${b}\n\n`];
}

function answer(p: Provider, key: string) {
  return async (req: ScriptedRequest, res: import('node:http').ServerResponse): Promise<void> => {
    const stream = req.headers['x-case'] === 'sse';
    if (!stream) {
      res.writeHead(401, { 'content-type': 'application/json' }); // chunked: no content-length
      return writePieces(res, errorPieces(p, key));
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    return writePieces(res, ssePieces(p, key));
  };
}

t.test('the endpoint key never reaches the client: chunked errors and SSE error events, pass-through and translated', async (t) => {
  const ups = await Promise.all(PROVIDERS.map((p) => startScriptedUpstream(answer(p, KEY))));
  const gw = await startGateway(
    gatewayYaml(PROVIDERS.map((p, i) => ({ name: p, cluster: `c-${p}`, endpoints: [{ id: `ep-${p}`, provider: p, port: ups[i]!.port, apiKey: KEY }] }))),
  );
  t.teardown(async () => {
    await gw.close();
    for (const u of ups) await u.close();
  });
  let leaks = 0;
  for (const p of PROVIDERS) {
    for (const kind of ['chunked-401', 'sse'] as const) {
      const stream = kind === 'sse';
      const res = await request(`${gw.url(p)}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer client-key', 'x-case': stream ? 'sse' : 'unary' },
        body: JSON.stringify({ model: 'm', stream, messages: [{ role: 'user', content: 'hi' }] }),
      });
      const text = await res.body.text().catch((err: Error) => `<cut: ${err.message}>`);
      const label = `${p} ${kind}`;
      if (text.includes(KEY)) leaks++;
      t.notOk(text.includes(KEY), `${label}: the key is not in the client's bytes`);
      t.notMatch(JSON.stringify(res.headers), KEY, `${label}: nor in its headers`);
      if (stream) {
        t.equal(res.statusCode, 200, `${label}: 200`);
        t.match(text, 'hello', `${label}: the good event arrived`);
      } else {
        t.equal(res.statusCode, 401, `${label}: the upstream's 401`);
      }
      t.match(text, /Incorrect API key provided|REDACTED/, `${label}: the error itself still reaches the client`);
    }
  }
  t.equal(leaks, 0, 'leaks: 0 of 6 paths');
});

t.test('held bodies too: a retryable 503 answered last, and a stream whose first event is the error', async (t) => {
  const up = await startScriptedUpstream(async (req, res) => {
    const [a, b] = errorPieces('openai', KEY);
    if (req.headers['x-case'] === 'first-event') {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      return writePieces(res, [`data: ${a}`, `${b}\n\n`]);
    }
    res.writeHead(503, { 'content-type': 'application/json' });
    return writePieces(res, [a, b]);
  });
  const gw = await startGateway(gatewayYaml([{ name: 'held', cluster: 'held', endpoints: [{ id: 'ep', provider: 'openai', port: up.port, apiKey: KEY }] }]));
  t.teardown(async () => (await gw.close(), await up.close()));
  for (const kind of ['held-503', 'first-event']) {
    const res = await request(`${gw.url('held')}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-case': kind },
      body: JSON.stringify({ model: 'm', stream: kind === 'first-event', messages: [] }),
    });
    const text = await res.body.text();
    t.equal(res.statusCode, 503, `${kind}: 503`);
    t.notOk(text.includes(KEY), `${kind}: no key`);
    t.match(text, 'REDACTED', `${kind}: the upstream's words, redacted`);
  }
});

t.test('URL-encoded and JSON-escaped forms of a key, and configured secrets, are scrubbed too', async (t) => {
  const key = 'sk-prov-Y/a+b=c';
  const encoded = encodeURIComponent(key);
  const up = await startScriptedUpstream(async (_req, res) => {
    res.writeHead(401, { 'content-type': 'application/json', 'x-org': 'org-secret-0001' });
    const body = JSON.stringify({ error: { message: `key ${encoded} or ${key.replace('/', '\\/')} refused (org org-secret-0001)` } }).replace('\\\\/', '\\/');
    const cut = body.indexOf(encoded) + 7;
    await writePieces(res, [body.slice(0, cut), body.slice(cut)]);
  });
  const proxy = '{redact: [org-secret-0001]}';
  const gw = await startGateway(gatewayYaml([{ name: 'enc', cluster: 'enc', proxy, endpoints: [{ id: 'ep', provider: 'openai', port: up.port, apiKey: key }] }]));
  t.teardown(async () => (await gw.close(), await up.close()));
  const res = await request(`${gw.url('enc')}/v1/chat/completions`, { method: 'POST', body: '{"model":"m","messages":[]}', headers: { 'content-type': 'application/json' } });
  const text = await res.body.text();
  t.equal(res.statusCode, 401);
  t.notOk(text.includes(encoded), 'no URL-encoded key');
  t.notOk(text.includes(key.replace('/', '\\/')), 'no JSON-escaped key');
  t.match(text, /key \[REDACTED\] or \[REDACTED\] refused \(org \[REDACTED\]\)/);
  t.equal(res.headers['x-org'], '[REDACTED]', 'a configured secret in a header');
});
