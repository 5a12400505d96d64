// Input guardrails see the texts of embeddings requests: Gemini embedContent / batchEmbedContents contents (passed
// through to a Gemini endpoint) have their PII masked before they go upstream, and a deny rule blocks in Gemini's
// error shape; the OpenAI embeddings input is masked the same way on its way to a Gemini endpoint.
import OpenAI from 'openai';
import t from 'tap';
import { startGateway } from '../../../helpers/gateway.js';
import { startMockGeminiEmbeddings } from '../../../helpers/mock-providers/embeddings.js';
import { guardGatewayYaml } from './helpers.js';

t.test('PII in embeddings input is masked before it goes upstream; a deny rule blocks', async (t) => {
  const gem = await startMockGeminiEmbeddings('sk-test');
  const gw = await startGateway(
    guardGatewayYaml(
      `                    input:
                      - { check: pii, entities: [email], action: redact }
                      - { check: deny, name: secret-project, words: ["project bluebird"], action: block }`,
      gem.port,
      'gemini',
    ),
  );
  t.teardown(async () => (await gw.close(), await gem.close()));
  const post = (path: string, body: unknown) => fetch(`${gw.url('main')}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  const one = await post('/v1beta/models/gemini-embedding-001:embedContent', { content: { parts: [{ text: 'mail jane.doe@example.com' }] } });
  t.equal(one.status, 200);
  t.same((gem.requests.at(-1)!.body as { content: unknown }).content, { parts: [{ text: 'mail [EMAIL]' }] }, 'masked upstream');

  const batch = await post('/v1beta/models/gemini-embedding-001:batchEmbedContents', {
    requests: ['a@b.io here', 'plain'].map((text) => ({ model: 'models/gemini-embedding-001', content: { parts: [{ text }] } })),
  });
  t.equal(batch.status, 200);
  const sent = gem.requests.at(-1)!.body as { requests: Array<{ content: { parts: Array<{ text: string }> } }> };
  t.same(sent.requests.map((r) => r.content.parts[0]!.text), ['[EMAIL] here', 'plain'], 'every request of the batch');

  const before = gem.requests.length;
  const blocked = await post('/v1beta/models/gemini-embedding-001:embedContent', { content: { parts: [{ text: 'about project bluebird' }] } });
  t.equal(blocked.status, 400);
  const err = (await blocked.json()) as { error: { status: string; message: string } };
  t.equal(err.error.status, 'INVALID_ARGUMENT', "Gemini's error shape");
  t.match(err.error.message, /secret-project/);
  t.equal(gem.requests.length, before, 'nothing sent upstream');

  const oai = await new OpenAI({ apiKey: 'k', baseURL: `${gw.url('main')}/v1`, maxRetries: 0 }).embeddings.create({ model: 'gemini-embedding-001', input: 'write to x@y.org' });
  t.equal(oai.data.length, 1);
  t.same((gem.requests.at(-1)!.body as { content: unknown }).content, { parts: [{ text: 'write to [EMAIL]' }] }, 'OpenAI input masked on its way to Gemini');
});
