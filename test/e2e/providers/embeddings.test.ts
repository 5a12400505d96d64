// Embeddings across providers: the official `openai` client's embeddings.create (its default base64 answer decoded by
// the SDK, and float) against a Gemini endpoint (embedContent for one text, batchEmbedContents for more), Gemini
// clients' embedContent / batchEmbedContents against an OpenAI endpoint, model_map on both, usage reported, and an
// Anthropic endpoint refusing in each client's error shape. The mocks reject what the real APIs reject.
import OpenAI from 'openai';
import t from 'tap';
import { startGateway } from '../../helpers/gateway.js';
import { embedText, startMockGeminiEmbeddings, startMockOpenAiEmbeddings, wordTokens } from '../../helpers/mock-providers/embeddings.js';
import { accessLines, gatewayYaml, openAiClient } from './helpers.js';

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

t.test('embeddings between OpenAI and Gemini clients and endpoints', async (t) => {
  const gem = await startMockGeminiEmbeddings();
  const oai = await startMockOpenAiEmbeddings();
  const gw = await startGateway(
    gatewayYaml([
      { name: 'gem', cluster: 'gem', endpoints: [{ id: 'gemini', provider: 'gemini', port: gem.port, extra: { model_map: { 'text-embedding-3-small': 'gemini-embedding-001' } } }] },
      { name: 'oai', cluster: 'oai', endpoints: [{ id: 'openai', provider: 'openai', port: oai.port, extra: { model_map: { 'gemini-embedding-001': 'text-embedding-3-small' } } }] },
      { name: 'ant', cluster: 'ant', endpoints: [{ id: 'claude', provider: 'anthropic', port: 1 }] },
    ]),
  );
  t.teardown(async () => (await gw.close(), await Promise.all([gem.close(), oai.close()])));

  t.test('OpenAI client → Gemini: one text is embedContent, the SDK decodes its default base64 answer', async (t) => {
    const text = 'The quick brown fox';
    const r = await openAiClient(gw.url('gem')).embeddings.create({ model: 'text-embedding-3-small', input: text });
    const sent = gem.requests.at(-1)!;
    t.equal(sent.path, '/v1beta/models/gemini-embedding-001:embedContent', 'model_map applied to the path');
    t.same(sent.body, { content: { parts: [{ text }] } });
    t.equal(sent.headers['x-goog-api-key'], 'gm-test');
    t.equal(sent.headers.authorization, undefined, 'no Bearer to Gemini');
    t.equal(r.object, 'list');
    t.equal(r.model, 'text-embedding-3-small', 'the model the client asked for');
    t.same(r.data.map((d) => d.embedding), [embedText(text)], 'the vector, through base64 float32');
    t.equal(r.data[0]!.index, 0);
    t.ok(r.usage.prompt_tokens >= 4 && r.usage.prompt_tokens <= 5, `prompt tokens counted locally (${r.usage.prompt_tokens})`);
    t.equal(r.usage.total_tokens, r.usage.prompt_tokens);
  });

  t.test('OpenAI client → Gemini: an array with dimensions is batchEmbedContents; float answers stay floats', async (t) => {
    const input = ['alpha', 'beta gamma', 'delta'];
    const r = await openAiClient(gw.url('gem')).embeddings.create({ model: 'text-embedding-3-small', input, dimensions: 4, encoding_format: 'float' });
    const sent = gem.requests.at(-1)!;
    t.equal(sent.path, '/v1beta/models/gemini-embedding-001:batchEmbedContents');
    t.same(sent.body, { requests: input.map((text) => ({ model: 'models/gemini-embedding-001', content: { parts: [{ text }] }, outputDimensionality: 4 })) });
    t.same(r.data.map((d) => d.embedding), input.map((x) => embedText(x, 4)));
    t.same(r.data.map((d) => d.index), [0, 1, 2]);
    t.ok(r.usage.prompt_tokens >= 4, 'usage counted for every input');
    const raw = await post(`${gw.url('gem')}/v1/embeddings`, { model: 'text-embedding-3-small', input: ['x', 'y'], encoding_format: 'base64' }, { authorization: 'Bearer k' });
    const body = (await raw.json()) as { data: Array<{ embedding: string }> };
    t.type(body.data[0]!.embedding, 'string', 'base64 on the wire when asked');
    const bytes = Buffer.from(body.data[1]!.embedding, 'base64');
    t.same(Array.from({ length: bytes.length / 4 }, (_, i) => bytes.readFloatLE(i * 4)), embedText('y'), 'little-endian float32');
  });

  t.test('OpenAI client → Gemini: bad input answers 400 in OpenAI shape without reaching Gemini', async (t) => {
    const before = gem.requests.length;
    const client = openAiClient(gw.url('gem'));
    const tokens = await client.embeddings.create({ model: 'text-embedding-3-small', input: [[1, 2, 3]] }).catch((e: unknown) => e);
    t.type(tokens, OpenAI.BadRequestError);
    t.match((tokens as InstanceType<typeof OpenAI.BadRequestError>).message, /token-id arrays/);
    const empty = await client.embeddings.create({ model: 'text-embedding-3-small', input: [] }).catch((e: unknown) => e);
    t.type(empty, OpenAI.BadRequestError);
    const dims = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'x', dimensions: 0 }).catch((e: unknown) => e);
    t.type(dims, OpenAI.BadRequestError);
    t.equal(gem.requests.length, before, 'nothing sent upstream');
    t.same(gem.rejections, [], 'the Gemini mock rejected nothing');
  });

  t.test('Gemini client → OpenAI: embedContent and batchEmbedContents, model_map, usage from the upstream', async (t) => {
    const one = await post(`${gw.url('oai')}/v1beta/models/gemini-embedding-001:embedContent`, { content: { parts: [{ text: 'hello world' }] }, taskType: 'RETRIEVAL_QUERY', outputDimensionality: 6 }, { 'x-goog-api-key': 'client' });
    t.equal(one.status, 200);
    t.same(await one.json(), { embedding: { values: embedText('hello world', 6) } });
    const sent = oai.requests.at(-1)!;
    t.equal(sent.path, '/v1/embeddings');
    t.same(sent.body, { model: 'text-embedding-3-small', input: 'hello world', encoding_format: 'float', dimensions: 6 }, 'taskType dropped, dimensions kept, model mapped');
    t.equal(sent.headers.authorization, 'Bearer sk-test', "the endpoint's key as a Bearer");
    t.equal(sent.headers['x-goog-api-key'], undefined);

    const texts = ['antidisestablishmentarianism rules', 'three']; // 3 words, more tokens: the figure is the upstream's
    const batch = await post(`${gw.url('oai')}/v1beta/models/gemini-embedding-001:batchEmbedContents`, {
      requests: texts.map((text) => ({ model: 'models/gemini-embedding-001', content: { parts: [{ text }] } })),
    });
    t.equal(batch.status, 200);
    t.same(await batch.json(), { embeddings: texts.map((x) => ({ values: embedText(x) })) });
    t.same(oai.requests.at(-1)!.body, { model: 'text-embedding-3-small', input: texts, encoding_format: 'float' });
    const log = accessLines(gw).filter((l) => String(l.path).endsWith(':batchEmbedContents')).at(-1)!;
    t.equal(log.prompt_tokens, texts.reduce((n, x) => n + wordTokens(x), 0), "the access log has the upstream's prompt tokens");
    t.same(oai.rejections, [], 'the OpenAI mock rejected nothing');
  });

  t.test('Gemini client → OpenAI: a batch whose request names another model is refused in Gemini shape', async (t) => {
    const before = oai.requests.length;
    const r = await post(`${gw.url('oai')}/v1beta/models/gemini-embedding-001:batchEmbedContents`, { requests: [{ model: 'models/other', content: { parts: [{ text: 'x' }] } }] });
    t.equal(r.status, 400);
    const body = (await r.json()) as { error: { code: number; status: string; message: string } };
    t.equal(body.error.status, 'INVALID_ARGUMENT');
    t.match(body.error.message, /requests\[0\]\.model/);
    t.equal(oai.requests.length, before);
  });

  t.test('Gemini client → Gemini: batchEmbedContents passes through with model_map in the path and in each request', async (t) => {
    const gw2 = await startGateway(gatewayYaml([{ name: 'g', cluster: 'g', endpoints: [{ id: 'gemini', provider: 'gemini', port: gem.port, extra: { model_map: { emb: 'gemini-embedding-001' } } }] }]));
    t.teardown(() => gw2.close());
    const r = await post(`${gw2.url('g')}/v1beta/models/emb:batchEmbedContents`, { requests: [{ model: 'models/emb', content: { parts: [{ text: 'a' }] } }, { model: 'models/emb', content: { parts: [{ text: 'b' }] } }] });
    t.equal(r.status, 200);
    t.same(await r.json(), { embeddings: [{ values: embedText('a') }, { values: embedText('b') }] });
    t.equal(gem.requests.at(-1)!.path, '/v1beta/models/gemini-embedding-001:batchEmbedContents');
    t.same(gem.rejections, []);
  });

  t.test('Anthropic endpoints have no embeddings: a 400 in the client API shape naming what is translated', async (t) => {
    const e = await openAiClient(gw.url('ant')).embeddings.create({ model: 'x', input: 'hi' }).catch((err: unknown) => err);
    t.type(e, OpenAI.BadRequestError);
    t.match((e as Error).message, /no embeddings.*chat completions.*messages/);
    const g = await post(`${gw.url('ant')}/v1beta/models/x:embedContent`, { content: { parts: [{ text: 'hi' }] } });
    t.equal(g.status, 400);
    const body = (await g.json()) as { error: { status: string; message: string } };
    t.equal(body.error.status, 'INVALID_ARGUMENT', 'Gemini error shape');
    t.match(body.error.message, /no embeddings/);
  });
});
