// A key's admission priority read from the key store (set through the admin API) orders the gateway's queue: with the
// concurrency cap saturated, a request of a priority-10 store key overtakes queued requests of a priority-0 one.
import t from 'tap';
import { startGateway } from '../../../helpers/gateway.js';
import { admissionConf, chat, startHeldUpstream } from '../../../core/admission/helpers.js';

const MASTER = 'sk-master-priority-0123456789';

t.test("a store key's priority (native admin API) feeds the admission queue", async (t) => {
  const up = await startHeldUpstream();
  // The static list stays empty; the keys come from the store, created below.
  const keys = `                      []
                    store: keystore
                    master_key: ${MASTER}
`;
  const yaml = admissionConf({ port: up.port, keys, admission: '  max_concurrency: 1\n  queue: {max_length: 100, max_wait: 30s}' })
    .replace('static_resources:\n', 'static_resources:\n  adapters:\n    - {id: keystore, name: dgp.adapter.store.sqlite, config: {path: data/keys.db}}\n')
    .replace('keys:\n                      []', 'keys: []');
  const g = await startGateway(yaml);
  t.teardown(async () => (await g.close(), await up.close()));
  const create = async (body: object) => {
    const r = await fetch(`${g.adminUrl}/admin/v1/keys`, { method: 'POST', headers: { authorization: `Bearer ${MASTER}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    t.equal(r.status, 201);
    return (await r.json()) as { key: string; priority: number | null };
  };
  const low = await create({ alias: 'low' });
  const high = await create({ alias: 'high', priority: 10 });
  t.equal(low.priority, null);
  t.equal(high.priority, 10, 'the API answers the stored priority');
  const queue = g.gw.admission.global.queue;
  const send = (tag: string, key: string) => chat(g.url(), tag, { authorization: `Bearer ${key}` });

  const answers = [send('holder', low.key)];
  await up.waitFor(1);
  for (let i = 0; i < 5; i++) {
    answers.push(send(`low-${i}`, low.key));
    while (queue.size < i + 1) await new Promise((r) => setTimeout(r, 2));
  }
  answers.push(send('high', high.key));
  while (queue.size < 6) await new Promise((r) => setTimeout(r, 2));
  up.passThrough = true;
  up.held[0]!.release();
  t.same((await Promise.all(answers)).map((a) => a.status), [200, 200, 200, 200, 200, 200, 200]);
  t.same(up.held.map((h) => h.tag), ['holder', 'high', 'low-0', 'low-1', 'low-2', 'low-3', 'low-4'], 'the store key with priority 10 went first');
});
