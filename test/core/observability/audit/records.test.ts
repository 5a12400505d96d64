// The audit record a user reads: exactly one per request, written once the stream ended, with the final usage and
// cost of a streamed answer, the HMAC of the prompt, and the outcome in governance terms (ok, rate_limited,
// budget_exceeded, blocked, error for a request no route matched). Records are read back from a real file sink.
import { createHmac } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import t from 'tap';
import { startMockOpenAi } from '../../../helpers/mock-providers/index.js';
import { startGateway, type TestGateway } from '../../../helpers/gateway.js';
import { keysGatewayYaml } from '../../../filters/llm/keys/helpers.js';
import { rlGatewayYaml } from '../../../filters/llm/ratelimit/helpers.js';
import { MASTER, priceOf, usage, waitFor } from '../../../filters/llm/keys/spend/helpers.js';

const SECRET = 'audit-secret-0123456789';
const VK = 'sk-dgp-audit-test-key';
const AUDIT = `
audit:
  sinks: [ { type: file, path: ./audit/audit.jsonl } ]
  hmac_secret: ${SECRET}
  flush_interval: 20ms
`;
const STORE = '    - {id: keystore, name: dgp.adapter.store.sqlite, config: {path: data/keys.db}}\n';
const keysConfig = (keys: string) => `                    store: keystore
                    master_key: ${MASTER}
${keys}`;

async function records(g: TestGateway, n: number): Promise<Array<Record<string, any>>> {
  return waitFor(`${n} audit record(s)`, async () => {
    const text = await readFile(join(g.dir, 'audit/audit.jsonl'), 'utf8').catch(() => '');
    const lines = text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, any>);
    return lines.length >= n ? lines : undefined;
  });
}

const post = (url: string, body: object, auth = VK) =>
  fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${auth}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

t.test('a streamed request: one record after the stream, with its final usage, cost, key and prompt HMAC', async (t) => {
  const up = await startMockOpenAi({ reply: { text: 'Hello there, friend.', usage: { input: 31, output: 7 } } });
  const yaml = keysGatewayYaml({ provider: 'openai', port: up.port, adapters: STORE, keys: keysConfig(`                    keys:\n                      - {key: ${VK}, alias: billing-bot, team: t1, user: u42}\n`) }) + AUDIT;
  const g = await startGateway(yaml);
  t.teardown(async () => (await g.close(), await up.close()));
  const body = { model: 'gpt-4o-mini', stream: true, user: 'cust-9', messages: [{ role: 'user', content: 'tell me' }] };
  const res = await post(g.url(), body);
  const text = await res.text();
  t.match(text, 'Hello');
  const [r] = await records(g, 1);
  const cost = priceOf('openai', 'gpt-4o-mini', usage(31, 7));
  t.match(r, {
    v: 1, kind: 'llm', request_id: res.headers.get('x-request-id'), route: String, endpoint: '/v1/chat/completions', stream: true,
    status: 200, outcome: 'ok', error_type: null,
    key_id: String, key_alias: 'billing-bot', team_id: 't1', user_id: 'u42', end_user: 'cust-9',
    api: 'openai', operation: 'chat', model_requested: 'gpt-4o-mini', provider: 'openai', upstream: 'ep-0',
    tokens: { input: 31, output: 7, total: 38, source: 'upstream' },
    cost_nanos: cost, cost_usd: cost / 1e9, cost_basis: 'usage', price_source: /^genai-prices@/,
    attempts: 1, retries: 0, fallbacks: [],
    cache: { status: null }, guardrails: [], ratelimit: null,
  });
  t.ok(r!.latency_ms.total >= r!.latency_ms.ttft && r!.latency_ms.ttft > 0, 'TTFT within the total');
  t.ok(r!.latency_ms.upstream > 0);
  t.notOk(JSON.stringify(r).includes(VK), 'the client key is nowhere in the record');
  t.notOk('request_body' in r!, 'no bodies by default');
  const sent = JSON.stringify(body);
  t.equal(r!.prompt_hash, `hmac-sha256:${createHmac('sha256', SECRET).update(sent).digest('hex')}`, 'HMAC-SHA256 of the prompt with the server secret');
  t.not(r!.prompt_hash, `hmac-sha256:${createHmac('sha256', '').update(sent).digest('hex')}`);
  // One record per request: nothing more arrives.
  await new Promise((r) => setTimeout(r, 100));
  t.equal((await records(g, 1)).length, 1);
});

t.test('a key over its budget: outcome budget_exceeded, no upstream call, no cost', async (t) => {
  const up = await startMockOpenAi({ reply: { text: 'x', usage: { input: 1, output: 1 } } });
  const keys = `                    keys:\n                      - {key: ${VK}, alias: tiny, max_budget_usd: 0.000000001, budget_duration: 1d}\n`;
  const g = await startGateway(keysGatewayYaml({ provider: 'openai', port: up.port, adapters: STORE, keys: keysConfig(keys) }) + AUDIT);
  t.teardown(async () => (await g.close(), await up.close()));
  const res = await post(g.url(), { model: 'gpt-4o-mini', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] });
  t.equal(res.status, 429);
  const [r] = await records(g, 1);
  t.match(r, { status: 429, outcome: 'budget_exceeded', error_type: 'DGP_ERR_KEYS_BUDGET_EXCEEDED', key_alias: 'tiny', attempts: 0, upstream: null });
  t.equal(up.requests.length, 0);
});

t.test('a rate-limited request: outcome rate_limited with the rule that refused it', async (t) => {
  const up = await startMockOpenAi({ reply: { text: 'ok', usage: { input: 2, output: 1 } } });
  const rules = '                    rules:\n                      - {id: per-route, scope: route, requests: {per_minute: 1}}';
  const g = await startGateway(rlGatewayYaml({ provider: 'openai', port: up.port, ratelimit: rules }) + AUDIT);
  t.teardown(async () => (await g.close(), await up.close()));
  const chat = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] };
  t.equal((await post(g.url(), chat)).status, 200);
  t.equal((await post(g.url(), chat)).status, 429);
  const rs = await records(g, 2);
  t.match(rs[0], { outcome: 'ok', status: 200 });
  t.match(rs[1], { outcome: 'rate_limited', status: 429, error_type: 'DGP_ERR_RATELIMIT_REQUESTS', ratelimit: { rule: 'per-route', dimension: 'requests' } });
  t.not(rs[0]!.request_id, rs[1]!.request_id);
});

t.test('outcomes blocked (with the guardrail verdicts) and cache_hit; a request no route matched: one error record', async (t) => {
  const up = await startMockOpenAi({ reply: { text: 'never', usage: { input: 1, output: 1 } } });
  const sdk = pathToFileURL(join(process.cwd(), 'core/index.ts')).href;
  const llm = pathToFileURL(join(process.cwd(), 'core/llm/index.ts')).href;
  // A stand-in for a guardrails filter: it records a verdict the way one does, and refuses.
  const plugin = `import { DgpError } from '${sdk}';
import { addGuardrailVerdict, LlmCacheOutcome } from '${llm}';
export default {
  kind: 'dgp.filter.test.blocker', apiVersion: 1, description: 'blocks', configSchema: { type: 'object' },
  create: () => ({ async decode(ctx) {
    // A stand-in for a response cache too: a prompt of "cached" is answered from it.
    if ((await ctx.request.json()).messages[0].content === 'cached') {
      ctx.set(LlmCacheOutcome, 'hit');
      return ctx.reply(200, { id: 'c1', object: 'chat.completion', choices: [] });
    }
    addGuardrailVerdict(ctx, { check: 'secrets', stage: 'input', action: 'block', rule: 'openai_key', count: 1 });
    return ctx.replyError(new DgpError('DGP_ERR_GUARDRAILS_BLOCKED', 'blocked by rule openai_key', { status: 400 }));
  } }),
};`;
  const yaml = `static_resources:
  shutdown_config: {timeout: 300ms}
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
                - name: dgp.filter.test.blocker
                  config: {}
                - name: dgp.filter.llm.proxy
                  config: {}
  clusters:
    - name: llm
      endpoints:
        - id: ep-0
          socket_address: {address: 127.0.0.1, port: ${up.port}}
          llm_meta: {provider: openai, api_key: sk-test, scheme: http}
plugins:
  dirs: [plugins]
${AUDIT}`;
  const g = await startGateway(yaml, { files: { 'plugins/blocker/package.json': '{"name":"blocker","type":"module","dgp":{"entry":"./index.js"}}', 'plugins/blocker/index.js': plugin } });
  t.teardown(async () => (await g.close(), await up.close()));
  const res = await post(g.url(), { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'sk-abc' }] });
  t.equal(res.status, 400);
  const missing = await fetch(`${g.url()}/nowhere`);
  t.equal(missing.status, 404);
  t.equal((await post(g.url(), { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'cached' }] })).status, 200);
  const rs = await records(g, 3);
  t.match(rs[2], { kind: 'llm', status: 200, outcome: 'cache_hit', cache: { status: 'hit' }, attempts: 0 });
  t.match(rs[0], { outcome: 'blocked', status: 400, guardrails: [{ check: 'secrets', stage: 'input', action: 'block', rule: 'openai_key', count: 1 }] });
  t.notOk(JSON.stringify(rs[0]).includes('sk-abc'), 'the record holds no prompt text');
  t.match(rs[1], { kind: 'request', status: 404, outcome: 'error', error_type: 'DGP_ERR_HTTP_NO_ROUTE', endpoint: '/nowhere' });
  t.equal(up.requests.length, 0);
});

t.test('admin actions go to the same audit stream: a key change and a reload, never the key itself', async (t) => {
  const up = await startMockOpenAi({ reply: { text: 'x', usage: { input: 1, output: 1 } } });
  const g = await startGateway(keysGatewayYaml({ provider: 'openai', port: up.port, adapters: STORE, keys: keysConfig('') }) + AUDIT);
  t.teardown(async () => (await g.close(), await up.close()));
  const admin = (path: string, body?: object) =>
    fetch(`${g.adminUrl}${path}`, { method: 'POST', headers: { authorization: `Bearer ${MASTER}`, 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
  const gen = await admin('/key/generate', { key_alias: 'ci-bot' });
  t.equal(gen.status, 200);
  const { key } = (await gen.json()) as { key: string };
  t.equal((await admin('/reload')).status, 200);
  const rs = await records(g, 2);
  t.match(rs[0], { kind: 'admin', action: 'POST /key/generate', target: '/key/generate', actor: /127\.0\.0\.1/, status: 200, outcome: 'ok' });
  t.match(rs[1], { kind: 'admin', action: 'reload', actor: 'admin', status: 200, outcome: 'ok', detail: { generation: Number } });
  t.notOk(JSON.stringify(rs).includes(key), 'the generated key is not in the audit stream');
  const config = await (await fetch(`${g.adminUrl}/config`)).text();
  t.match(config, /"hmac_secret": ?"\[redacted\]"/);
  t.notOk(config.includes(SECRET), 'GET /config hides the HMAC secret');
});

t.test('bodies per key: only a key whose metadata opts in gets its bodies in records, cut to max_bytes', async (t) => {
  const up = await startMockOpenAi({ reply: { text: 'the answer', usage: { input: 3, output: 2 } } });
  const other = 'sk-dgp-audit-other-key';
  const keys = `                    keys:\n                      - {key: ${VK}, alias: opted-in, metadata: {audit_bodies: true}}\n                      - {key: ${other}, alias: private}\n`;
  const audit = AUDIT.replace('flush_interval: 20ms', 'flush_interval: 20ms\n  bodies: { mode: per_key, max_bytes: 40 }');
  const g = await startGateway(keysGatewayYaml({ provider: 'openai', port: up.port, adapters: STORE, keys: keysConfig(keys) }) + audit);
  t.teardown(async () => (await g.close(), await up.close()));
  const body = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'a prompt that is longer than forty bytes' }] };
  t.equal((await post(g.url(), body)).status, 200);
  t.equal((await post(g.url(), body, other)).status, 200);
  const [opted, priv] = await records(g, 2);
  const sent = JSON.stringify(body);
  t.same(opted!.request_body, { text: sent.slice(0, 40), bytes: sent.length, truncated: true });
  t.match(opted!.response_body, { bytes: Number, truncated: true, text: /^\{/ });
  t.notOk('request_body' in priv! || 'response_body' in priv!, 'a key without the opt-in: no bodies');
});

t.test('bodies of a streamed answer: the bytes the client got, after output redaction, cut to max_bytes', async (t) => {
  // The mock streams the answer in word-sized chunks, so the email is split across chunks on the way.
  const up = await startMockOpenAi({ reply: { text: 'Write to jane.doe@example.com for the refund.', usage: { input: 5, output: 9 } } });
  const other = 'sk-dgp-audit-other-key';
  const keys = `                    keys:\n                      - {key: ${VK}, alias: opted-in, metadata: {audit_bodies: true}}\n                      - {key: ${other}, alias: private}\n`;
  const guard = `                - name: dgp.filter.ai.guardrails\n                  config:\n                    output:\n                      - { check: pii, entities: [email], action: redact }\n`;
  const audit = AUDIT.replace('flush_interval: 20ms', 'flush_interval: 20ms\n  bodies: { mode: per_key, max_bytes: 65536 }');
  const g = await startGateway(keysGatewayYaml({ provider: 'openai', port: up.port, adapters: STORE, keys: keysConfig(keys), middle: guard }) + audit);
  t.teardown(async () => (await g.close(), await up.close()));
  const body = { model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'where do I write?' }] };
  const res = await post(g.url(), body);
  const wire = await res.text();
  t.notMatch(wire, 'jane.doe@example.com', 'the client got the redacted answer');
  t.equal((await (await post(g.url(), body, other)).text()).length > 0, true);
  const [opted, priv] = await records(g, 2);
  t.same(opted!.response_body, { text: wire, bytes: Buffer.byteLength(wire), truncated: false }, 'the record holds exactly the bytes on the wire');
  t.match(opted!.response_body.text, 'data: [DONE]');
  t.notMatch(JSON.stringify(opted), 'jane.doe@example.com', 'the unredacted address is nowhere in the record');
  t.notOk('response_body' in priv!, 'a key without the opt-in: no streamed body either');
});

t.test('bodies all: a streamed answer longer than max_bytes is cut and says how long it was', async (t) => {
  const up = await startMockOpenAi({ reply: { text: 'a fairly long answer that streams in many small pieces', usage: { input: 5, output: 12 } } });
  const keys = `                    keys:\n                      - {key: ${VK}, alias: any}\n`;
  const audit = AUDIT.replace('flush_interval: 20ms', 'flush_interval: 20ms\n  bodies: { mode: all, max_bytes: 64 }');
  const g = await startGateway(keysGatewayYaml({ provider: 'openai', port: up.port, adapters: STORE, keys: keysConfig(keys) }) + audit);
  t.teardown(async () => (await g.close(), await up.close()));
  const wire = await (await post(g.url(), { model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'go' }] })).text();
  const [r] = await records(g, 1);
  t.ok(Buffer.byteLength(wire) > 64, 'the stream is longer than max_bytes');
  t.same(r!.response_body, { text: Buffer.from(wire).subarray(0, 64).toString('utf8'), bytes: Buffer.byteLength(wire), truncated: true });
});

t.test('a reload that changes the audit block: the old pipeline is flushed, new records go to the new sink', async (t) => {
  const up = await startMockOpenAi({ reply: { text: 'x', usage: { input: 1, output: 1 } } });
  const base = keysGatewayYaml({ provider: 'openai', port: up.port, adapters: STORE, keys: keysConfig(`                    keys:\n                      - {key: ${VK}, alias: a}\n`) });
  const slow = (path: string) => `\naudit:\n  sinks: [ { type: file, path: ${path} } ]\n  flush_interval: 1h\n`;
  const g = await startGateway(base + slow('./audit/one.jsonl'));
  t.teardown(async () => (await g.close(), await up.close()));
  const chat = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] };
  const first = (await post(g.url(), chat)).headers.get('x-request-id');
  await g.writeConfig(base + slow('./audit/two.jsonl'));
  t.match(await g.gw.reload(), { ok: true });
  const second = (await post(g.url(), chat)).headers.get('x-request-id');
  const read = async (f: string) => (await readFile(join(g.dir, 'audit', f), 'utf8').catch(() => '')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  const one = await waitFor('the old pipeline flushed', async () => ((await read('one.jsonl')).length > 0 ? read('one.jsonl') : undefined));
  t.same(one.map((r) => r.request_id), [first], 'the request before the reload, flushed when its pipeline closed');
  await g.gw.close();
  const two = await read('two.jsonl');
  t.same(two.filter((r) => r.kind === 'llm').map((r) => r.request_id), [second], 'the request after it, in the new sink (flushed on close)');
  t.match(two.find((r) => r.kind === 'admin'), { action: 'reload', actor: 'api', outcome: 'ok' }, 'the reload itself is audited by the new pipeline');
});
