// mode: prefix — chained block hashes from the worker pool's prefixHashes task, the longest remembered prefix, a
// consistent-hash ring for new prefixes, and bounded load: distinct prefixes spread, shared ones stick, no endpoint
// takes more than (1 + load_factor) × the average in-flight requests.
import t from 'tap';
import { PreferredEndpointId, SelectedEndpoint } from '../../../../core/index.js';
import { HashRing } from '../../../../filters/ai/kvcache/hash-ring.js';
import type { KvcacheConfig } from '../../../../filters/ai/kvcache/schema.js';
import { CLUSTER, kvHarness } from './harness.js';

const EPS = ['vllm-0', 'vllm-1', 'vllm-2', 'vllm-3'];
const conf = (prefix: KvcacheConfig['prefix'] = {}): KvcacheConfig => ({
  enabled: true,
  mode: 'prefix',
  default_encoding: 'cl100k_base',
  lookup_routing_timeout: '30s',
  request_timeout: '30s',
  prefix: { block_size: 4, ...prefix },
});
const SYSTEM = 'You are a meticulous assistant for the ACME support desk. Always answer in British English and cite the manual.';
const chat = (user: string, system = SYSTEM, model = 'llama') => ({ model, messages: [{ role: 'system', content: system }, { role: 'user', content: user }] });

t.test('distinct prefixes spread over the endpoints; a repeated prompt returns to its endpoint', async (t) => {
  const h = await kvHarness(t, conf(), { endpoints: EPS });
  const counts = new Map<string, number>();
  const first = new Map<number, string>();
  for (let i = 0; i < 120; i++) {
    const ctx = await h.decode({ model: 'llama', prompt: `Ticket ${i * 7919}: printer number ${i} is on fire again` });
    const id = ctx.get(PreferredEndpointId)!;
    first.set(i, id);
    counts.set(id, (counts.get(id) ?? 0) + 1);
    await h.complete(ctx);
  }
  t.same([...counts.keys()].sort(), EPS, 'every endpoint got some');
  t.ok(Math.min(...counts.values()) >= 10, `no endpoint starved: ${JSON.stringify(Object.fromEntries(counts))}`);
  for (const i of [3, 50, 111]) {
    const ctx = await h.decode({ model: 'llama', prompt: `Ticket ${i * 7919}: printer number ${i} is on fire again` });
    t.equal(ctx.get(PreferredEndpointId), first.get(i), `prompt ${i} is sticky`);
    await h.complete(ctx);
  }
  t.equal(await h.metric('dgp_kvcache_routing_total', { mode: 'prefix', outcome: 'routed' }), 123);
});

t.test('requests sharing a long system prompt stick to one endpoint', async (t) => {
  const h = await kvHarness(t, conf(), { endpoints: EPS });
  const seen = new Set<string>();
  for (const q of ['Where is my order?', 'Reset my password', 'Cancel the subscription', 'Printer jam', 'Refund please']) {
    const ctx = await h.decode(chat(q));
    seen.add(ctx.get(PreferredEndpointId)!);
    await h.complete(ctx);
  }
  t.equal(seen.size, 1);
  t.ok(await h.metric('dgp_kvcache_routing_total', { reason: 'prefix_index' }) >= 4, 'found by the remembered prefix');
});

t.test('a conversation that grows keeps going where its earlier turns went', async (t) => {
  const h = await kvHarness(t, conf(), { endpoints: EPS });
  const turns = [{ role: 'user', content: 'Plan a three day trip to Kyoto for a family of four.' }];
  const first = await h.decode({ model: 'llama', messages: turns });
  const home = first.get(PreferredEndpointId);
  await h.complete(first);
  for (let i = 0; i < 4; i++) {
    turns.push({ role: 'assistant', content: `Day ${i + 1}: temples, markets and a long walk along the river.` }, { role: 'user', content: `And day ${i + 2}?` });
    const ctx = await h.decode({ model: 'llama', messages: turns });
    t.equal(ctx.get(PreferredEndpointId), home, `turn ${i + 2}`);
    await h.complete(ctx);
  }
});

t.test('bounded load: concurrent requests for one prefix never push an endpoint past (1 + load_factor) × average', async (t) => {
  const loadFactor = 0.25;
  const h = await kvHarness(t, conf({ load_factor: loadFactor }), { endpoints: EPS });
  const inflight = () => EPS.map((id) => h.filter.rt.inflight.get(CLUSTER, id));
  const open = [];
  for (let i = 0; i < 40; i++) {
    open.push(await h.decode(chat(`question ${i}`)));
    const loads = inflight();
    const total = loads.reduce((a, b) => a + b, 0);
    t.equal(total, i + 1);
    t.ok(Math.max(...loads) <= Math.ceil(((1 + loadFactor) * total) / EPS.length), `after ${total}: ${loads.join(',')}`);
  }
  t.ok(inflight().every((n) => n > 0 && n <= 13), `a burst for one prefix spreads over every endpoint: ${inflight().join(',')}`);
  t.equal(await h.metric('dgp_kvcache_inflight_requests'), 40, 'the gauge shows the same counts');
  for (const ctx of open) await h.complete(ctx);
  t.same(inflight(), [0, 0, 0, 0], 'onComplete releases every count');
});

t.test('in-flight follows the endpoint that served the request; LB-routed requests count too', async (t) => {
  const h = await kvHarness(t, conf(), { endpoints: EPS });
  const ctx = await h.decode(chat('hello'));
  const preferred = ctx.get(PreferredEndpointId)!;
  const other = EPS.find((e) => e !== preferred)!;
  t.equal(h.filter.rt.inflight.get(CLUSTER, preferred), 1);
  ctx.set(SelectedEndpoint, { cluster: CLUSTER, id: other, address: 'x' });
  h.filter.encode(ctx);
  t.same([h.filter.rt.inflight.get(CLUSTER, preferred), h.filter.rt.inflight.get(CLUSTER, other)], [0, 1], 'moved to the endpoint the proxy fell back to');
  h.filter.onComplete(ctx);
  t.equal(h.filter.rt.inflight.get(CLUSTER, other), 0);
  const short = await h.decode({ model: 'llama', prompt: 'hi' });
  t.equal(short.get(PreferredEndpointId), undefined, 'shorter than one block: normal load balancing');
  t.equal(await h.metric('dgp_kvcache_routing_total', { reason: 'short_prompt' }), 1);
  await h.complete(short, 'vllm-2');
  t.equal(h.filter.rt.inflight.get(CLUSTER, 'vllm-2'), 0, 'counted from encode to onComplete');
});

t.test('unhealthy and cooling-down endpoints are passed over; other prefixes do not move', async (t) => {
  const h = await kvHarness(t, conf(), { endpoints: EPS });
  const prompts = Array.from({ length: 40 }, (_, i) => ({ model: 'llama', prompt: `Invoice ${i * 104729} for customer ${i} is overdue` }));
  const before: string[] = [];
  for (const p of prompts) {
    const ctx = await h.decode(p);
    before.push(ctx.get(PreferredEndpointId)!);
    await h.complete(ctx);
  }
  const down = before[0]!;
  h.fctx.clusters.setHealthy(CLUSTER, down, false);
  for (const [i, p] of prompts.entries()) {
    const ctx = await h.decode(p);
    const now = ctx.get(PreferredEndpointId)!;
    t.not(now, down);
    if (before[i] !== down) t.equal(now, before[i], `prompt ${i} stayed`);
    await h.complete(ctx);
  }
  h.fctx.clusters.setHealthy(CLUSTER, down, true);
  const ep = h.fctx.clusters.getEndpoint(CLUSTER, EPS.find((e) => e !== down)!)!;
  h.fctx.clusters.cooldowns.markFailure(CLUSTER, ep);
  for (const p of prompts.slice(0, 10)) {
    const ctx = await h.decode(p);
    t.not(ctx.get(PreferredEndpointId), ep.id, 'a cooling-down endpoint gets no hint');
    await h.complete(ctx);
  }
});

t.test('the model seeds the chain: one prompt on two models may go different ways, each sticky', async (t) => {
  const h = await kvHarness(t, conf(), { endpoints: EPS });
  const where = async (model: string) => {
    const ctx = await h.decode(chat('same words', SYSTEM, model));
    await h.complete(ctx);
    return ctx.get(PreferredEndpointId);
  };
  const a = await where('model-a');
  t.equal(await where('model-a'), a);
  const hashesA = await h.filter.rt.prefixHashes({ model: 'model-a', prompt: 'abc def ghi jkl mno pqr' });
  const hashesB = await h.filter.rt.prefixHashes({ model: 'model-b', prompt: 'abc def ghi jkl mno pqr' });
  t.not(hashesA[0], hashesB[0]);
});

t.test('HashRing: each id once per walk, and removing one id moves only its keys', async (t) => {
  const ring = new HashRing(['a', 'b', 'c', 'd']);
  const walk = [...ring.walk(123456)];
  t.same([...walk].sort(), ['a', 'b', 'c', 'd']);
  const smaller = new HashRing(['a', 'b', 'c']);
  let moved = 0;
  for (let k = 0; k < 2000; k++) {
    const pos = (k * 2654435761) >>> 0;
    const before = ring.walk(pos).next().value;
    const after = smaller.walk(pos).next().value;
    if (before !== 'd' && before !== after) moved++;
  }
  t.equal(moved, 0);
});
