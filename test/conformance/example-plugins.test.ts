// Runs the conformance suite on the example plugins, and checks what header-stamp does to a response.
import { fileURLToPath } from 'node:url';
import t from 'tap';
import type { RequestContext } from '../../core/index.js';
import { loadPlugins, validatePluginConfig } from '../../core/registry/index.js';
import { readConformanceFixture, runConformance } from '../helpers/conformance.js';
import { stubFactoryContext } from '../helpers/factory-context.js';
import OpenAI from 'openai';
import { request } from 'undici';
import { startGateway } from '../helpers/gateway.js';
import { startMockOpenAi } from '../helpers/mock-providers/index.js';

const headerStamp = fileURLToPath(new URL('../../examples/plugins/header-stamp', import.meta.url));

t.test('header-stamp passes the conformance suite', async (t) => {
  const fixture = await readConformanceFixture('example.header-stamp');
  t.ok(fixture, 'fixture exists');
  await runConformance(t, { dir: headerStamp, validConfigs: fixture?.valid ?? [], invalidConfigs: fixture?.invalid ?? [] });
});

t.test('header-stamp sets its header in encode and continues', async (t) => {
  const registry = await loadPlugins({ pluginDirs: [headerStamp], builtinRoot: false });
  const entry = registry.resolve('example.header-stamp', 'filter');
  t.equal(entry.source.packageName, 'dgp-plugin-header-stamp');
  t.equal(entry.version, '1.0.0', 'the version comes from package.json');

  const run = async (raw: unknown): Promise<Record<string, unknown>> => {
    const { config, issues } = validatePluginConfig(entry, raw);
    t.same(issues, []);
    const filter = (await entry.manifest.create(config, stubFactoryContext())) as { encode(ctx: RequestContext): unknown };
    const headers: Record<string, unknown> = { 'content-type': 'application/json' };
    const ctx = { response: { status: 200, headers, body: undefined } } as unknown as RequestContext;
    t.equal(filter.encode(ctx), 'continue');
    return headers;
  };
  t.same(await run({ header: 'X-Served-By', value: 'eu-1' }), { 'content-type': 'application/json', 'x-served-by': 'eu-1' });
  t.same(await run({ value: 'v' }), { 'content-type': 'application/json', 'x-stamp': 'v' }, 'header defaults to x-stamp');
});

const examples = fileURLToPath(new URL('../../examples/plugins', import.meta.url));

for (const kind of ['example.json-guard', 'example.stream-meter']) {
  t.test(`${kind} passes the conformance suite`, async (t) => {
    const fixture = await readConformanceFixture(kind);
    t.ok(fixture, 'fixture exists');
    await runConformance(t, { dir: `${examples}/${kind.slice('example.'.length)}`, validConfigs: fixture?.valid ?? [], invalidConfigs: fixture?.invalid ?? [] });
  });
}

const chain = (filters: string, upstream: string) => `
static_resources:
  listeners:
    - name: main
      address: {socket_address: {address: 127.0.0.1, port: 0}}
      filter_chains:
        filters:
          - name: dgp.filter.httpconnectionmanager
            config:
              route_config: {routes: [{id: chat, match: {prefix: /v1}, route: {cluster: openai}}]}
              http_filters:${filters}
                - name: dgp.filter.llm.proxy
  clusters:
    - name: openai
      endpoints:
        - id: mock
          socket_address: {address: 127.0.0.1, port: ${new URL(upstream).port}}
          llm_meta: {provider: openai, api_key: sk-upstream}
`;

t.test('json-guard (imports dgp-gateway and dgp-gateway/llm): rejects over the ceiling in the client API shape, passes the rest', async (t) => {
  const upstream = await startMockOpenAi({ apiKey: 'sk-upstream', reply: { text: 'hi', usage: { input: 3, output: 1 } } });
  t.teardown(() => upstream.close());
  const g = await startGateway(chain('\n                - name: example.json-guard\n                  config: {max_tokens: 100}', upstream.url), { pluginDirs: [examples] });
  t.teardown(() => g.close());
  const client = new OpenAI({ baseURL: `${g.url()}/v1`, apiKey: 'sk-client', maxRetries: 0 });
  const err = await client.chat.completions.create({ model: 'gpt-4o-mini', max_tokens: 4096, messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
  t.ok(err instanceof OpenAI.BadRequestError, 'the OpenAI SDK raises BadRequestError');
  t.match(err, { status: 400, code: 'EXAMPLE_ERR_MAX_TOKENS', message: /max_tokens 4096 is above this route's ceiling of 100/ });
  t.equal(upstream.requests.length, 0, 'the rejected request never reached the upstream');
  const anthropic = await request(`${g.url()}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' }, body: JSON.stringify({ model: 'claude-x', max_tokens: 500, messages: [{ role: 'user', content: 'hi' }] }) });
  t.equal(anthropic.statusCode, 400);
  t.match(await anthropic.body.json(), { type: 'error', error: { message: /max_tokens 500/ } }, 'an Anthropic client gets the Anthropic error shape');
  const ok = await client.chat.completions.create({ model: 'gpt-4o-mini', max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] });
  t.equal(ok.choices[0]?.message.content, 'hi', 'a request under the ceiling is served');
});

t.test('stream-meter: counts the chunks of a real stream, passes every byte, reports a metric and a log line', async (t) => {
  const upstream = await startMockOpenAi({ apiKey: 'sk-upstream', reply: { text: 'one two three four', usage: { input: 3, output: 4 } } });
  t.teardown(() => upstream.close());
  const g = await startGateway(chain('\n                - name: example.stream-meter', upstream.url), { pluginDirs: [examples] });
  t.teardown(() => g.close());
  const client = new OpenAI({ baseURL: `${g.url()}/v1`, apiKey: 'sk-client', maxRetries: 0 });
  let text = '';
  for await (const chunk of await client.chat.completions.create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'count' }] })) text += chunk.choices[0]?.delta.content ?? '';
  t.equal(text, 'one two three four', 'the stream arrives unchanged');
  const line = await waitForLog(g.logs, 'stream metered');
  t.match(line, { chunks: Number, bytes: Number, aborted: false });
  t.ok((line.chunks as number) >= 1 && (line.bytes as number) > 0);
  t.same(await g.metric('example_stream_chunks_total'), { '{route="chat"}': line.chunks }, 'the metric counts the same chunks');
});

async function waitForLog(logs: Array<Record<string, unknown>>, msg: string): Promise<Record<string, unknown>> {
  for (let i = 0; i < 100; i++) {
    const line = logs.find((l) => l.msg === msg);
    if (line) return line;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no "${msg}" log line`);
}
