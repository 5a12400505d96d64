// Protocol hygiene toward the client (issue 19 item 8), through the real gateway: an upstream that sends garbage after a
// valid status line (bad header bytes, no header end, a broken chunk, plain or SSE) always yields a 502 in the
// client's shape (OpenAI and Anthropic clients; pass-through and translation), never a silent close; and no error
// message a client reads holds an internal address — endpoints are named by id.
import t from 'tap';
import { request } from 'undici';
import { startGateway } from '../../../helpers/gateway.js';
import { gatewayYaml } from '../../../e2e/providers/helpers.js';
import { closedPort } from './helpers/setup.js';
import { startRawUpstream } from './helpers/scripted-upstream.js';

const GARBAGE: Record<string, string> = {
  'bad bytes in the header section': 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\x01\x02\x03 garbage\r\n\r\n{}',
  'garbage right after the status line': 'HTTP/1.1 200 OK\r\n\xff\xfe\xfd\r\n\r\n',
  'a header section that never ends': 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nthis is not a header line at all',
  'a broken chunk size (JSON)': 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nZZZZ\r\nhello\r\n0\r\n\r\n',
  'a broken chunk size (SSE)': 'HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\nQQ\r\n',
};

interface Reply {
  status: number | 'no response';
  text: string;
}

async function ask(url: string, api: 'openai' | 'anthropic', stream: boolean): Promise<Reply> {
  const anthropic = api === 'anthropic';
  try {
    const res = await request(`${url}${anthropic ? '/v1/messages' : '/v1/chat/completions'}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(anthropic ? { 'anthropic-version': '2023-06-01' } : {}) },
      body: JSON.stringify({ model: 'm', stream, max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] }),
    });
    return { status: res.statusCode, text: await res.body.text() };
  } catch (err) {
    return { status: 'no response', text: (err as Error).message };
  }
}

t.test('garbage after a valid status line: a 502 in the client shape, never a silent close', async (t) => {
  for (const [name, bytes] of Object.entries(GARBAGE)) {
    const up = await startRawUpstream(bytes);
    const gw = await startGateway(
      gatewayYaml([
        { name: 'openai', cluster: 'c-openai', endpoints: [{ id: 'ep-openai', provider: 'openai', port: up.port }] },
        { name: 'anthropic', cluster: 'c-anthropic', endpoints: [{ id: 'ep-anthropic', provider: 'anthropic', port: up.port }] },
      ]),
    );
    for (const endpoint of ['openai', 'anthropic'] as const) {
      for (const client of ['openai', 'anthropic'] as const) {
        for (const stream of [false, true]) {
          const label = `${name}: ${client} client, ${endpoint} endpoint${stream ? ', stream' : ''}`;
          const r = await ask(gw.url(endpoint), client, stream);
          t.equal(r.status, 502, `${label}: 502`);
          const body = JSON.parse(r.status === 502 ? r.text : '{}') as { type?: string; error?: { code?: string; message?: string } };
          if (client === 'anthropic') t.equal(body.type, 'error', `${label}: Anthropic error shape`);
          t.equal(body.error?.code, 'DGP_ERR_UPSTREAM_BAD_RESPONSE', `${label}: coded`);
          t.notMatch(r.text, /127\.0\.0\.1|:\d{4,5}\b/, `${label}: no address`);
        }
      }
    }
    await gw.close();
    await up.close();
  }
});

t.test('error messages name endpoints by id, never by address', async (t) => {
  const port = await closedPort();
  const gw = await startGateway(gatewayYaml([{ name: 'm', cluster: 'm', endpoints: [{ id: 'ep-down', provider: 'openai', port }] }]));
  t.teardown(() => gw.close());
  const r = await ask(gw.url('m'), 'openai', false);
  t.equal(r.status, 503);
  t.match(r.text, /endpoint \[ep-down\] retry: request error: ECONNREFUSED: connect ECONNREFUSED \[ep-down\]/);
  t.notMatch(r.text, new RegExp(`127\\.0\\.0\\.1|${port}`), 'neither the address nor the port');
});
