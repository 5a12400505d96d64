// Smoke test through the real host and dgp.filter.llm.proxy: a loopback OpenAI-like upstream, the tokenizer before
// the proxy. The client reads the exact bytes a direct call gives, and the usage lands in the metrics registry.
import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { request } from 'undici';
import { startGateway } from '../../../helpers/gateway.js';
import { openaiStream } from './upstream-shapes.js';

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const parts: Buffer[] = [];
  for await (const c of req) parts.push(c as Buffer);
  return JSON.parse(Buffer.concat(parts).toString('utf8')) as Record<string, unknown>;
}

t.test('stream through the host: usage injected and stripped, counted', async (t) => {
  const seen: Array<Record<string, unknown>> = [];
  const upstream = createServer(async (req, res) => {
    const body = await readJson(req);
    seen.push(body);
    const includeUsage = (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true;
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    for (const part of openaiStream({ includeUsage }).match(/[\s\S]{1,80}/g)!) res.write(part);
    res.end();
  });
  upstream.listen(0, '127.0.0.1');
  await once(upstream, 'listening');
  t.teardown(() => upstream.close());
  const port = (upstream.address() as AddressInfo).port;
  const g = await startGateway(`
static_resources:
  listeners:
    - name: main
      address: {socket_address: {address: 127.0.0.1, port: 0}}
      filter_chains:
        filters:
          - name: dgp.filter.httpconnectionmanager
            config:
              route_config:
                routes:
                  - match: {prefix: /v1/}
                    route: {cluster: llm}
              http_filters:
                - name: dgp.filter.llm.tokenizer
                - name: dgp.filter.llm.proxy
  clusters:
    - name: llm
      endpoints:
        - id: local
          socket_address: {address: 127.0.0.1, port: ${port}}
          llm_meta: {provider: openai, api_key: sk-test}
`);
  t.teardown(() => g.close());
  const res = await request(`${g.url()}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-4o', stream: true, messages: [{ role: 'user', content: 'hi' }] }),
  });
  t.equal(res.statusCode, 200);
  t.equal(await res.body.text(), openaiStream({ includeUsage: false }), 'client bytes as without the gateway');
  t.same(seen[0]?.stream_options, { include_usage: true });
  // onComplete runs after the last byte; give the host a moment to finish its bookkeeping (bounded poll).
  const registry = g.gw.metrics.registry;
  let prompt = 0;
  for (let i = 0; i < 50 && prompt === 0; i++) {
    const m = await registry.getSingleMetric('pixiu_llm_prompt_tokens_total')?.get();
    prompt = m?.values.find((v) => v.labels.model === 'gpt-4o' && v.labels.cluster_name === 'llm')?.value ?? 0;
    if (prompt === 0) await new Promise((r) => setTimeout(r, 20));
  }
  t.equal(prompt, 19);
  const access = g.logs.find((l) => l.prompt_tokens !== undefined);
  t.ok(access, 'the access-log line carries the token fields');
  if (access) t.match(access, { model: 'gpt-4o-2024-08-06', prompt_tokens: 19, completion_tokens: 10 });
});
