// A filter whose chunk hook throws mid-stream on an LLM route: the client gets one error event in its own API's
// stream framing (the proxy's renderStreamError), then the cut, never a stream that looks complete.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { request } from 'undici';
import { proxyConf, startGateway } from '../../../helpers/gateway.js';

const PLUGINS = fileURLToPath(new URL('../../../fixtures/bounded-plugins', import.meta.url));

const ANTHROPIC_EVENTS = [
  ['message_start', { type: 'message_start', message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-x', content: [], stop_reason: null, usage: { input_tokens: 5, output_tokens: 0 } } }],
  ['content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }],
  ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hel' } }],
  ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'lo' } }],
  ['content_block_stop', { type: 'content_block_stop', index: 0 }],
  ['message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 2 } }],
  ['message_stop', { type: 'message_stop' }],
] as const;

async function anthropicUpstream(): Promise<{ port: number; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', async () => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      // One event per write, so the gateway's chunk hooks see several chunks.
      for (const [name, data] of ANTHROPIC_EVENTS) {
        res.write(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
        await new Promise((r) => setTimeout(r, 5));
      }
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as AddressInfo).port, close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))) };
}

t.test('Anthropic client: an onChunk throw ends the stream with an Anthropic error event, then cuts it', async (t) => {
  const up = await anthropicUpstream();
  t.teardown(() => up.close());
  const g = await startGateway(
    proxyConf({
      filters: `
                - name: test.chunk-thrower
                  config: {after: 2}
                - name: dgp.filter.llm.proxy
                  config: {scheme: http}`,
      clusters: `
    - name: chat
      endpoints:
        - id: a1
          socket_address: {address: 127.0.0.1, port: ${up.port}}
          llm_meta: {provider: anthropic, api_key: sk-ant-test}`,
    }),
    { pluginDirs: [PLUGINS] },
  );
  t.teardown(() => g.close());
  const res = await request(`${g.url()}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
    body: JSON.stringify({ model: 'claude-x', max_tokens: 16, stream: true, messages: [{ role: 'user', content: 'hi' }] }),
  });
  t.equal(res.statusCode, 200);
  let text = '';
  let cut = false;
  try {
    for await (const c of res.body) text += c.toString();
  } catch {
    cut = true;
  }
  const frames = text.split('\n\n').filter(Boolean);
  const last = frames.at(-1) ?? '';
  t.match(last, /^event: error\ndata: \{"type":"error","error":\{"type":"api_error"/, 'the last frame is an Anthropic error event');
  t.match(last, 'DGP_ERR_HTTP_FILTER_FAILED');
  t.notMatch(text, /message_stop/, 'the stream never looks complete');
  t.ok(cut, 'the connection is cut after the error event');
});
