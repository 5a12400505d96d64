// The PostgreSQL key store against the shared contract on a real PostgreSQL 15 (test/helpers/postgres-server.ts),
// plus concurrent opens migrating once, BIGINT money beyond 2^31, and the hash lookup using the unique index.
import pg from 'pg';
import t from 'tap';
import { openPostgresStore } from '../../../../adapters/store/postgres/postgres-store.js';
import { generateKey } from '../../../../filters/llm/keys/key-material.js';
import { startPostgres } from '../../../helpers/postgres-server.js';
import { spendRow, storeContract } from '../keystore-contract.js';

const server = await startPostgres();
t.teardown(() => server.close());
let n = 0;

t.test('contract', async (t) => {
  storeContract(t, { fresh: async (now) => openPostgresStore({ url: await server.createDatabase(`c${++n}`), now, maxConnections: 3 }) });
});

t.test('instances opening one database together migrate it once and share data', async (t) => {
  const url = await server.createDatabase('shared');
  const stores = await Promise.all([1, 2, 3].map(() => openPostgresStore({ url, maxConnections: 2 })));
  const k = generateKey();
  const rec = await stores[0]!.createKey({ hash: k.hash, display_prefix: k.displayPrefix, max_budget_nanos: 50_000_000_000_000 });
  t.same(await stores[2]!.getKeyByHash(k.hash), rec, 'BIGINT money comes back as a number');
  // Two instances report the same request: one row.
  const added = await Promise.all(stores.map((s) => s.appendSpend([spendRow(1, { cost_nanos: 3_000_000_000_000 })])));
  t.same(added.sort(), [0, 0, 1]);
  t.equal(await stores[1]!.sumSpend({ scope: 'key', id: 'k1', from: 0, to: 1e7 }), 3_000_000_000_000);
  await Promise.all(stores.map((s) => s.close()));
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  t.same((await client.query('SELECT version FROM schema_version ORDER BY version')).rows, [{ version: 1 }, { version: 2 }, { version: 3 }]);
  const plan = await client.query("EXPLAIN SELECT * FROM virtual_keys WHERE hash = 'x'");
  t.match(plan.rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n'), /Index Scan using virtual_keys_hash_key/);
  const types = await client.query("SELECT data_type FROM information_schema.columns WHERE table_name = 'spend_ledger' AND column_name IN ('cost_nanos', 'cache_saved_nanos') ORDER BY column_name");
  t.same(types.rows, [{ data_type: 'bigint' }, { data_type: 'bigint' }], 'money columns are BIGINT: cache_saved_nanos, cost_nanos');
  await client.end();
});

t.test('an unreachable server is a coded 503', async (t) => {
  await t.rejects(openPostgresStore({ url: 'postgres://postgres@127.0.0.1:1/x' }), { code: 'DGP_ERR_KEYSTORE_UNAVAILABLE', status: 503 });
});
