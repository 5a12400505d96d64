// The semantic layer with an upstream embedder: an OpenAI-compatible /v1/embeddings endpoint of a configured cluster
// (here a loopback server with fixed vectors) lets a true paraphrase — other words — hit; the guards still refuse an
// opposite question whose vector is close; each text is embedded once; an embedder that fails leaves exact hits
// working and is counted.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { startMockOpenAi } from '../../../helpers/mock-providers/index.js';
import { startGateway } from '../../../helpers/gateway.js';
import { metricValue } from '../../../e2e/providers/helpers.js';
import { cacheGatewayYaml, post } from './helpers.js';

const VECTORS: Record<string, number[]> = {
  'How do I reset my password?': [1, 0, 0, 0],
  'I forgot my password, how can I change it?': [0.96, 0.28, 0, 0],
  'Turn on email notifications': [0, 0, 1, 0],
  'Turn off email notifications': [0, 0, 0.98, 0.2],
};

async function embeddingsServer() {
  const seen: Array<{ auth: string | undefined; input: string; model: string }> = [];
  let failing = false;
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (d: Buffer) => (raw += d.toString()));
    req.on('end', () => {
      const body = JSON.parse(raw) as { input: string; model: string };
      seen.push({ auth: req.headers.authorization, input: body.input, model: body.model });
      const v = VECTORS[body.input];
      if (failing || req.url !== '/v1/embeddings' || v === undefined) {
        res.writeHead(500, { 'content-type': 'application/json' });
        return void res.end('{"error":{"message":"no"}}');
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ object: 'list', data: [{ object: 'embedding', index: 0, embedding: v }], model: body.model, usage: { prompt_tokens: 5, total_tokens: 5 } }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as AddressInfo).port, seen, fail: () => (failing = true), close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))) };
}

const ask = (text: string) => ({ model: 'gpt-4o-mini', max_tokens: 64, messages: [{ role: 'user', content: text }] });

t.test('an upstream embedder: paraphrases hit, guards hold, vectors cached, failures fail open', async (t) => {
  let n = 0;
  const up = await startMockOpenAi({ reply: () => ({ text: `answer ${++n}` }) });
  const emb = await embeddingsServer();
  const cache = '{scope: global, semantic: {enabled: true, threshold: 0.9, embedder: {type: upstream, cluster: embeddings, model: text-embedding-3-small}}}';
  const g = await startGateway(cacheGatewayYaml({ cache, clusters: { llm: [{ provider: 'openai', port: up.port }], embeddings: [{ provider: 'openai', port: emb.port }] } }));
  t.teardown(async () => (await g.close(), await up.close(), await emb.close()));
  const url = `${g.url()}/v1/chat/completions`;
  const send = async (text: string) => {
    const r = await post(url, ask(text));
    const j = (await r.json()) as { choices: Array<{ message: { content: string } }> };
    return { cache: r.headers.get('x-dgp-cache'), similarity: r.headers.get('x-dgp-cache-similarity'), text: j.choices[0]!.message.content };
  };
  t.equal((await send('How do I reset my password?')).cache, 'MISS');
  const para = await send('I forgot my password, how can I change it?');
  t.same([para.cache, para.text, para.similarity], ['HIT_SEMANTIC', 'answer 1', '0.9600'], 'a paraphrase in other words hits');
  t.equal((await send('Turn on email notifications')).cache, 'MISS');
  const off = await send('Turn off email notifications');
  t.same([off.cache, off.text], ['MISS', 'answer 3'], 'similarity 0.98, but the negation guard refuses');
  t.equal(emb.seen.length, 4, 'each text embedded once');
  t.match(emb.seen[0], { model: 'text-embedding-3-small', auth: 'Bearer sk-test' }, 'with the cluster\'s model and key');
  t.equal((await send('I forgot my password, how can I change it?')).cache, 'HIT_SEMANTIC');
  t.equal(emb.seen.length, 4, 'a repeated text is not embedded again');

  emb.fail();
  const unknown = await send('What is the weather like?');
  t.same([unknown.cache, unknown.text], ['MISS', 'answer 4'], 'the embedder failing: served as a miss');
  t.equal((await send('What is the weather like?')).cache, 'HIT', 'exact hits keep working');
  t.ok((await metricValue(g, 'dgp_cache_store_errors_total', { op: 'embed' })) >= 1, 'the failure is counted');
});

t.test('an embedder cluster that does not exist fails the load', async (t) => {
  const up = await startMockOpenAi({ reply: { text: 'x' } });
  t.teardown(() => up.close());
  const cache = '{semantic: {enabled: true, embedder: {type: upstream, cluster: nowhere, model: m}}}';
  await t.rejects(startGateway(cacheGatewayYaml({ cache, clusters: { llm: [{ provider: 'openai', port: up.port }] } })), /DGP_ERR_CACHE_EMBEDDER_CLUSTER|nowhere/);
});
