// The azure-openai codec: the deployment path, api-version, the api-key header, the versionless v1 API.
import t from 'tap';
import { exchange } from '../helpers.js';

const body = { model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] };

t.test('Azure paths and auth', async (t) => {
  const ex = exchange({ clientApi: 'openai', provider: 'azure-openai', body, llmMeta: { model_map: { 'gpt-4o': 'prod-gpt4o' } } });
  t.equal(ex.request.path, '/openai/deployments/prod-gpt4o/chat/completions?api-version=2024-10-21', 'the mapped model names the deployment');
  t.equal(ex.request.headers['api-key'], 'sk-endpoint', 'the key goes in api-key');
  t.ok(ex.request.dropHeaders.includes('authorization'), "the client's Authorization does not travel");
  t.ok(ex.passthrough, 'same wire format as OpenAI: the response passes through');
  t.equal(exchange({ clientApi: 'openai', provider: 'azure-openai', body, providerConfig: { api_version: '2025-04-01-preview' } }).request.path, '/openai/deployments/gpt-4o/chat/completions?api-version=2025-04-01-preview');
  t.equal(exchange({ clientApi: 'openai', provider: 'azure-openai', body: { model: 'e', input: 'x' }, path: '/v1/embeddings' }).request.path, '/openai/deployments/e/embeddings?api-version=2024-10-21');
  t.equal(exchange({ clientApi: 'openai', provider: 'azure-openai', body: undefined, method: 'GET', path: '/v1/models' }).request.path, '/openai/models?api-version=2024-10-21');
  t.equal(exchange({ clientApi: 'openai', provider: 'azure-openai', body: { model: 'prod-gpt', input: 'x' }, path: '/v1/responses', llmMeta: { options: { api_version: '2025-04-01-preview' } } }).request.path, '/openai/responses?api-version=2025-04-01-preview', 'the Responses API is not per deployment');
  t.equal(exchange({ clientApi: 'openai', provider: 'azure-openai', body, llmMeta: { options: { api_version: 'v1' } } }).request.path, '/openai/v1/chat/completions');
});
