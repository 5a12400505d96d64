// Providers by name (APISIX ai-proxy's defaults): an endpoint naming deepseek, openrouter, aimlapi, ollama or vllm and
// no socket_address goes to the provider's own host, visible in /config, `dgp routes` and /admin/v1/clusters; with
// the host overridden (a local mock) the request arrives on the provider's path with `Authorization: Bearer <key>`.
// openai-compatible has no host of its own: a config without one is refused.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { loadConfig } from '../../../core/config/index.js';
import { formatRoutesView, routesView } from '../../../core/config/routes-view.js';
import { startGateway } from '../../helpers/gateway.js';
import { openAiClient } from './helpers.js';

const LISTENER = `
  listeners:
    - name: main
      address: {socket_address: {address: 127.0.0.1, port: 0}}
      filter_chains:
        filters:
          - name: dgp.filter.httpconnectionmanager
            config:
              route_config: {routes: [{match: {prefix: /}, route: {cluster: named}}]}
              http_filters: [{name: dgp.filter.llm.proxy, config: {}}]`;

const yaml = (endpoints: string): string => `static_resources:\n  shutdown_config: {timeout: 300ms}${LISTENER}\n  clusters:\n    - name: named\n      endpoints:${endpoints}\n`;

const NO_HOST = `
        - {id: ds, llm_meta: {provider: deepseek, api_key: sk-ds}}
        - {id: or, llm_meta: {provider: openrouter, api_key: sk-or}}
        - {id: ml, llm_meta: {provider: aimlapi, api_key: sk-ml}}
        - {id: ol, llm_meta: {provider: ollama}}
        - {id: vl, llm_meta: {provider: vllm}}
        - {id: vx, llm_meta: {provider: vertex-ai, options: {location: europe-west4}}}
        - {id: br, llm_meta: {provider: bedrock, options: {region: eu-west-1}}}`;

t.test('an endpoint without socket_address goes to its provider default host, shown in every view', async (t) => {
  const gw = await startGateway(yaml(NO_HOST));
  t.teardown(() => gw.close());
  const clusters = (await (await fetch(`${gw.adminUrl}/admin/v1/clusters`)).json()) as { clusters: Array<{ endpoints: Array<{ id: string; authority: string }> }> };
  t.same(
    Object.fromEntries(clusters.clusters[0]!.endpoints.map((e) => [e.id, e.authority])),
    { ds: 'api.deepseek.com', or: 'openrouter.ai', ml: 'api.aimlapi.com', ol: '127.0.0.1:11434', vl: '127.0.0.1:8000', vx: 'europe-west4-aiplatform.googleapis.com', br: 'bedrock-runtime.eu-west-1.amazonaws.com' },
  );
  const config = (await (await fetch(`${gw.adminUrl}/config`)).json()) as { config: { static_resources: { clusters: Array<{ endpoints: Array<{ id: string; socket_address: { port: number }; llm_meta: { scheme: string; options?: Record<string, unknown> } }> }> } } };
  const eps = config.config.static_resources.clusters[0]!.endpoints;
  t.same(eps.map((e) => `${e.llm_meta.scheme}:${e.socket_address.port}`), ['https:443', 'https:443', 'https:443', 'http:11434', 'http:8000', 'https:443', 'https:443']);
  t.same(eps[1]!.llm_meta.options, { base_path: '/api/v1' }, 'OpenRouter serves the OpenAI API under /api/v1');
});

t.test('dgp routes prints the default host with its scheme', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'dgp-named-'));
  await writeFile(join(dir, 'conf.yaml'), yaml(NO_HOST));
  const r = await loadConfig({ configDir: dir, env: {} });
  t.same(r.errors, []);
  const text = formatRoutesView(routesView(r.config!));
  for (const target of ['https://api.deepseek.com:443', 'https://openrouter.ai:443', 'https://api.aimlapi.com:443', 'http://127.0.0.1:11434', 'http://127.0.0.1:8000', 'https://europe-west4-aiplatform.googleapis.com:443', 'https://bedrock-runtime.eu-west-1.amazonaws.com:443']) {
    t.match(text, target);
  }
  t.ok(r.warnings.some((w) => w.message.includes('default host of llm_meta.provider "deepseek", https://api.deepseek.com:443')), 'the Pixiu difference is a warning');
});

t.test('openai-compatible without a host is a config error naming the fix', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'dgp-named-'));
  await writeFile(join(dir, 'conf.yaml'), yaml(`\n        - {id: any, llm_meta: {provider: openai-compatible, api_key: k}}`));
  const r = await loadConfig({ configDir: dir, env: {} });
  t.equal(r.config, undefined);
  t.equal(r.errors.length, 1);
  t.equal(r.errors[0]!.code, 'DGP_ERR_CONFIG_SCHEMA');
  t.equal(r.errors[0]!.pointer, '/static_resources/clusters/0/endpoints/0');
  t.match(r.errors[0]!.message, 'llm_meta.provider "openai-compatible" has no default host');
  t.match(r.errors[0]!.hint ?? '', 'socket_address');
});

t.test('bedrock without a region nor a host is a config error naming both fixes', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'dgp-named-'));
  await writeFile(join(dir, 'conf.yaml'), yaml(`\n        - {id: br, llm_meta: {provider: bedrock}}`));
  const r = await loadConfig({ configDir: dir, env: {} });
  t.equal(r.config, undefined);
  t.equal(r.errors[0]?.code, 'DGP_ERR_CONFIG_SCHEMA');
  t.match(r.errors[0]?.message, 'llm_meta.provider "bedrock" has no region');
  t.match(r.errors[0]?.hint ?? '', /options\.region.*socket_address/);
});

interface Seen { path: string; headers: IncomingHttpHeaders }

async function recorder(t: { teardown(fn: () => Promise<void>): void }): Promise<{ port: number; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      seen.push({ path: req.url ?? '', headers: req.headers });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { port: (server.address() as AddressInfo).port, seen };
}

for (const [provider, key, path] of [
  ['openrouter', 'sk-or', '/api/v1/chat/completions'],
  ['deepseek', 'sk-ds', '/v1/chat/completions'],
  ['aimlapi', 'sk-ml', '/v1/chat/completions'],
  ['vllm', 'sk-vl', '/v1/chat/completions'],
  ['openai-compatible', 'sk-any', '/v1/chat/completions'],
] as const) {
  t.test(`${provider} with its host overridden: the provider path and a Bearer key`, async (t) => {
    const up = await recorder(t);
    const gw = await startGateway(yaml(`\n        - {id: e, socket_address: {address: 127.0.0.1, port: ${up.port}}, llm_meta: {provider: ${provider}, api_key: ${key}, scheme: http}}`));
    t.teardown(() => gw.close());
    const res = await openAiClient(gw.url()).chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }] });
    t.equal(res.choices[0]!.message.content, 'hi');
    t.equal(up.seen.length, 1);
    t.equal(up.seen[0]!.path, path);
    t.equal(up.seen[0]!.headers.authorization, `Bearer ${key}`);
  });
}

t.test('ollama needs no key: the client request arrives without the gateway adding one', async (t) => {
  const up = await recorder(t);
  const gw = await startGateway(yaml(`\n        - {id: e, socket_address: {address: 127.0.0.1, port: ${up.port}}, llm_meta: {provider: ollama, scheme: http}}`));
  t.teardown(() => gw.close());
  const res = await openAiClient(gw.url()).chat.completions.create({ model: 'llama3.2', messages: [{ role: 'user', content: 'hi' }] });
  t.equal(res.choices[0]!.message.content, 'hi');
  t.equal(up.seen[0]!.path, '/v1/chat/completions');
  t.equal(up.seen[0]!.headers.authorization, 'Bearer client-key', "Pixiu's rule: without an endpoint key the client's own key travels");
});
