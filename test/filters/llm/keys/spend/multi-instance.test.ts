// The budget held globally by 3 real `dgp start` processes (compiled dist/: `npm run build` first) sharing one real
// PostgreSQL (keys and the spend ledger) and one real Redis (budget counters and holds): 45 concurrent requests spread
// over the three against a budget that fits 10 admit 10 in all, the ledger in PostgreSQL holds each admitted request
// once at the book's price of its upstream usage, and the Redis counter every instance reads agrees.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import pg from 'pg';
import t, { type Test } from 'tap';
import { startMockOpenAi } from '../../../../helpers/mock-providers/index.js';
import { startPostgres } from '../../../../helpers/postgres-server.js';
import { startRedis } from '../../../../helpers/redis-server.js';
import { MASTER, holdOf, priceOf, usage, usdOf, waitFor } from './helpers.js';

const ROOT = fileURLToPath(new URL('../../../../../', import.meta.url));
const CLI = join(ROOT, 'dist/core/cli.js');
const VK = 'sk-dgp-shared-across-instances';
const chat = { model: 'gpt-4o-mini', max_tokens: 1000, messages: [{ role: 'user' as const, content: 'hi' }] };

interface Instance {
  child: ChildProcess;
  port: number;
  admin: number;
  exited: Promise<number | null>;
}

function configYaml(pgUrl: string, redisUrl: string, upstreamPort: number, limitNanos: number): string {
  return `static_resources:
  adapters:
    - {id: keystore, name: dgp.adapter.store.postgres, config: {url: "${pgUrl}"}}
    - {id: counters, name: dgp.adapter.store.redis, config: {url: "${redisUrl}", key_prefix: "mi:"}}
  listeners:
    - name: main
      address: {socket_address: {address: 127.0.0.1, port: 0}}
      filter_chains:
        filters:
          - name: dgp.filter.httpconnectionmanager
            config:
              route_config:
                routes:
                  - match: {prefix: /}
                    route: {cluster: llm}
              http_filters:
                - name: dgp.filter.llm.keys
                  config:
                    store: keystore
                    master_key: ${MASTER}
                    budgets: {counter_store: counters}
                    ledger: {interval_ms: 50}
                    keys:
                      - {key: ${VK}, alias: shared, max_budget_usd: ${usdOf(limitNanos)}, budget_duration: 1mo}
                - name: dgp.filter.llm.proxy
                  config: {}
  clusters:
    - name: llm
      endpoints:
        - id: ep-0
          socket_address: {address: 127.0.0.1, port: ${upstreamPort}}
          llm_meta: {provider: openai, api_key: sk-test, scheme: http, health_check_interval: 0}
  shutdown_config: {timeout: 5s}
admin: {address: 127.0.0.1, port: 0}
workers: {threads: 1}
`;
}

async function startInstance(t: Test, dir: string): Promise<Instance> {
  const child = spawn(process.execPath, [CLI, 'start', '--config-dir', dir], { cwd: ROOT, env: { PATH: process.env.PATH } });
  t.teardown(() => void child.kill('SIGKILL'));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const line = await waitFor(`a start line (output so far: ${out})`, () => /"listeners":\{"main":(\d+)\}.*?"admin":(\d+)/.exec(out) ?? (child.exitCode !== null ? null : undefined), 20_000);
  if (line === null) throw new Error(`dgp exited before starting: ${out}`);
  return { child, port: Number(line[1]), admin: Number(line[2]), exited };
}

t.test('3 gateway processes, one PostgreSQL, one Redis: a budget that fits 10 admits 10 across all of them', { skip: existsSync(CLI) ? false : 'run `npm run build` first (the test spawns dist/core/cli.js)' }, async (t) => {
  const pgServer = await startPostgres();
  t.teardown(() => pgServer.close());
  const redis = await startRedis();
  t.teardown(() => redis.close());
  const pgUrl = await pgServer.createDatabase('multi_instance');
  const hold = holdOf(chat);
  const per = priceOf('openai', 'gpt-4o-mini', usage(20, 10));
  let rejected = 0;
  let release: () => void = () => undefined;
  const released = new Promise<void>((r) => (release = r));
  const up = await startMockOpenAi({ reply: { text: 'hello', usage: { input: 20, output: 10 } }, gate: () => released });
  t.teardown(() => up.close());
  const dir = await mkdtemp(join(tmpdir(), 'dgp-mi-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'conf.yaml'), configYaml(pgUrl, redis.url, up.port, Math.floor(10.5 * hold)));
  const instances = await Promise.all([1, 2, 3].map(() => startInstance(t, dir)));

  const calls = instances.flatMap((i) => {
    const client = new OpenAI({ apiKey: VK, baseURL: `http://127.0.0.1:${i.port}/v1` });
    return Array.from({ length: 15 }, () =>
      client.chat.completions.create(chat).then(
        () => 'ok' as const,
        (err: unknown) => {
          rejected++;
          return err;
        },
      ),
    );
  });
  // Every admitted request waits upstream until every refused one came back: no settle frees room early.
  await waitFor('every request upstream or refused', () => up.requests.length + rejected === 45, 30_000);
  release();
  const results = await Promise.all(calls);
  const admitted = results.filter((r) => r === 'ok').length;
  t.ok(admitted <= 11, `at most 10 (+1) admitted across the three: ${admitted}`);
  t.equal(admitted, 10);
  t.ok(results.filter((r) => r !== 'ok').every((r) => r instanceof OpenAI.RateLimitError), 'the rest: RateLimitError, not retried');
  t.equal(up.requests.length, admitted);

  const db = new pg.Client({ connectionString: pgUrl });
  await db.connect();
  t.teardown(() => db.end());
  const ledger = await waitFor('the ledger rows', async () => {
    const r = await db.query<{ n: string; cost: string }>("SELECT count(*) AS n, coalesce(sum(cost_nanos), 0) AS cost FROM spend_ledger WHERE key_id = 'shared'");
    return Number(r.rows[0]!.n) === admitted ? r.rows[0] : undefined;
  });
  t.equal(Number(ledger!.cost), admitted * per, 'PostgreSQL: each admitted request once, priced by the book');
  for (const i of instances) {
    const res = await fetch(`http://127.0.0.1:${i.admin}/admin/v1/budgets?key=shared`, { headers: { authorization: `Bearer ${MASTER}` } });
    const body = (await res.json()) as { budgets: Array<Record<string, number>> };
    t.match(body.budgets[0], { spent_nanos: admitted * per, held_nanos: 0 }, `instance on ${i.port} reads the shared Redis counter`);
  }
  for (const i of instances) i.child.kill('SIGTERM');
  t.same(await Promise.all(instances.map((i) => i.exited)), [0, 0, 0], 'each drained and exited 0');
});
