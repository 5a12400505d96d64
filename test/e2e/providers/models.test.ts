// GET /v1/models through the REAL gateway: the models the route's cluster can serve (model_map aliases, not `*`, and
// llm_meta.options.model), read by the official `openai` client (OpenAI list) and `@anthropic-ai/sdk` (Anthropic list,
// chosen by its anthropic-version header); a plain OpenAI-compatible cluster without model info asks its upstream.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { startGateway } from '../../helpers/gateway.js';
import { anthropicClient, gatewayYaml, openAiClient } from './helpers.js';

async function startModelsUpstream(): Promise<{ port: number; seen: Array<{ path: string; headers: IncomingHttpHeaders }>; close(): Promise<void> }> {
  const seen: Array<{ path: string; headers: IncomingHttpHeaders }> = [];
  const server = createServer((req, res) => {
    seen.push({ path: req.url ?? '', headers: req.headers });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ object: 'list', data: [{ id: 'llama-3.1-8b', object: 'model', created: 1, owned_by: 'vllm' }] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

t.test('GET /v1/models lists what the cluster can route', async (t) => {
  const up = await startModelsUpstream();
  const gw = await startGateway(
    gatewayYaml([
      {
        name: 'mixed',
        cluster: 'mixed',
        endpoints: [
          { id: 'claude', provider: 'anthropic', port: 1, extra: { model_map: { 'gpt-4o': 'claude-sonnet-4-5', '*': 'claude-haiku-4-5' } } },
          { id: 'gem', provider: 'gemini', port: 2, extra: { model_map: { fast: 'gemini-2.5-flash', 'gpt-4o': 'gemini-2.5-pro' }, options: { model: 'gemini-2.5-pro' } } },
        ],
      },
      { name: 'plain', cluster: 'plain', endpoints: [{ id: 'vllm', provider: 'vllm', port: up.port, apiKey: 'sk-vllm-key' }] },
      { name: 'claude-only', cluster: 'claude-only', endpoints: [{ id: 'claude', provider: 'anthropic', port: 1 }] },
    ]),
  );
  t.teardown(async () => {
    await gw.close();
    await up.close();
  });

  const listed = [];
  for await (const m of openAiClient(gw.url('mixed')).models.list()) listed.push(m);
  t.same(
    listed.map((m) => [m.id, m.object, m.owned_by]),
    [['gpt-4o', 'model', 'anthropic'], ['fast', 'model', 'gemini'], ['gemini-2.5-pro', 'model', 'gemini']],
    'OpenAI list: aliases (no "*") and options.model, each once, owned by the first provider serving it',
  );
  t.type(listed[0]!.created, 'number');

  const anthropicListed = [];
  for await (const m of anthropicClient(gw.url('mixed')).models.list()) anthropicListed.push(m);
  t.same(anthropicListed.map((m) => [m.type, m.id, m.display_name]), [['model', 'gpt-4o', 'gpt-4o'], ['model', 'fast', 'fast'], ['model', 'gemini-2.5-pro', 'gemini-2.5-pro']], 'Anthropic list for an Anthropic client');
  t.match(anthropicListed[0]!.created_at, /^\d{4}-\d\d-\d\dT/);

  const plain = [];
  for await (const m of openAiClient(gw.url('plain')).models.list()) plain.push(m.id);
  t.same(plain, ['llama-3.1-8b'], 'a plain OpenAI-compatible cluster without model info: the upstream answers');
  t.equal(up.seen[0]?.path, '/v1/models');
  t.equal(up.seen[0]?.headers.authorization, 'Bearer sk-vllm-key');

  const res = await fetch(`${gw.url('claude-only')}/v1/models`);
  t.equal(res.status, 200);
  t.same(await res.json(), { object: 'list', data: [] }, 'a non-OpenAI cluster without model info lists nothing (its upstream speaks another API)');
});
