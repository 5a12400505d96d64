// GET /v1/models and /v1/models/{id} list only what the caller's virtual key allows (dgp.filter.llm.keys `models`,
// exact names and `*` globs), read by the official openai client.
import OpenAI from 'openai';
import t from 'tap';
import { startMockOpenAi } from '../../helpers/mock-providers/index.js';
import { startGateway } from '../../helpers/gateway.js';
import { keysGatewayYaml } from '../../filters/llm/keys/helpers.js';

const MASTER = 'sk-master-0123456789abcdef';

t.test("the model list is the key's allowed models", async (t) => {
  const up = await startMockOpenAi({ reply: { text: 'hello' } });
  const adapters = '    - {id: keystore, name: dgp.adapter.store.sqlite, config: {path: data/keys.db}}\n';
  const keys = `                    store: keystore
                    master_key: ${MASTER}
`;
  const proxy = `config:
                    model_list:
                      - {model_name: smart, aliases: [gpt4], deployments: [{model: gpt-4o}]}
                      - {model_name: fast, deployments: [{model: gpt-4o-mini}]}
                      - {model_name: gpt-4o, deployments: [{}]}`;
  const yaml = keysGatewayYaml({ keys, provider: 'openai', port: up.port, adapters }).replace(/- name: dgp\.filter\.llm\.proxy\n {18}config: \{\}/, `- name: dgp.filter.llm.proxy\n                  ${proxy}`);
  t.match(yaml, /model_list/);
  const g = await startGateway(yaml);
  t.teardown(async () => (await g.close(), await up.close()));
  const mint = async (models: string[]) => {
    const r = await fetch(`${g.adminUrl}/key/generate`, { method: 'POST', headers: { authorization: `Bearer ${MASTER}`, 'content-type': 'application/json' }, body: JSON.stringify({ models }) });
    return ((await r.json()) as { key: string }).key;
  };
  const list = async (key: string) => {
    const ids: string[] = [];
    for await (const m of new OpenAI({ apiKey: key, baseURL: `${g.url()}/v1`, maxRetries: 0 }).models.list()) ids.push(m.id);
    return ids;
  };
  const limited = await mint(['gpt-*', 'smart']);
  // The keys filter checks the name a client sends: the alias gpt4 is another name, not allowed by 'smart'.
  t.same(await list(limited), ['smart', 'gpt-4o'], "only the names the key may send: exact names and globs");
  t.same(await list(await mint([])), ['smart', 'gpt4', 'fast', 'gpt-4o'], 'a key without a models list sees every model');
  const client = new OpenAI({ apiKey: limited, baseURL: `${g.url()}/v1`, maxRetries: 0 });
  t.equal((await client.models.retrieve('smart')).id, 'smart');
  const hidden = await client.models.retrieve('fast').catch((e: unknown) => e);
  t.type(hidden, OpenAI.NotFoundError, 'a model the key may not use is not found');
});
