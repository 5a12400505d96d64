// ModelLabels: configured names keep their label (model_map aliases and targets, options.model, known_models), the
// price book's models get its id, everything else is `other`; a registry change to the cluster is seen at once.
import t from 'tap';
import type { EndpointView } from '../../../../core/index.js';
import { ModelLabels } from '../../../../filters/llm/tokenizer/model-label.js';

const ep = (id: string, llmMeta: Record<string, unknown>): EndpointView => ({ id, llmMeta }) as unknown as EndpointView;

t.test('configured, known to the book, other, unknown', async (t) => {
  let endpoints: readonly EndpointView[] = [ep('a', { provider: 'openai', model_map: { alias: 'target-x', '*': '*' } }), ep('b', { provider: 'vllm', options: { model: 'forced-y' } })];
  const clusters = { endpoints: () => endpoints, getEndpoint: (_c: string, id: string) => endpoints.find((e) => e.id === id) };
  const labels = new ModelLabels(clusters, ['served-by-vllm']);
  t.equal(labels.label('c', 'a', undefined, ['alias']), 'alias');
  t.equal(labels.label('c', 'a', undefined, ['target-x']), 'target-x');
  t.equal(labels.label('c', 'b', undefined, ['forced-y']), 'forced-y');
  t.equal(labels.label('c', 'b', undefined, ['served-by-vllm']), 'served-by-vllm');
  t.equal(labels.label('c', 'a', undefined, ['gpt-4o-2024-08-06']), 'gpt-4o', "the book's id");
  t.equal(labels.label('c', 'a', 'anthropic', ['weird-echo', 'claude-sonnet-4-20250514']), 'claude-sonnet-4-0', 'the first known candidate');
  t.equal(labels.label('c', 'a', undefined, ['client-123', 'client-456']), 'other');
  t.equal(labels.label('c', 'a', undefined, [undefined, '']), 'unknown');
  t.equal(labels.label('c', 'a', undefined, ['new-alias']), 'other');
  endpoints = [...endpoints, ep('n', { model_map: { 'new-alias': 'z' } })];
  t.equal(labels.label('c', 'a', undefined, ['new-alias']), 'new-alias', 'a new endpoint snapshot is read again');
});
