// CPU of dgp.filter.llm.keys alone, per request: the real filter (built from dist/ by its manifest, with the bench's
// key and budget, counters in the memory store) on a real request Context, decode + encode + onComplete, against the
// same loop without the filter (the Context, its body and its parse). No sockets, no proxy: what the filter's own code
// costs, with the gateway's noise left out (bench/inproc-ab.ts measures the whole request).
//   npm run build && npx tsx bench/keys-filter-cpu.ts [--requests 200000] [--base <dir>]
// --base <dir>: another built checkout (e.g. `git archive <commit> | tar -x -C <dir>`, node_modules linked,
// `npx tsc -p tsconfig.json` there), measured in alternation with this one.
import { parseArgs } from 'node:util';
import { UNARY_BODY } from './load/bodies.js';
import { buildParts, hookLoops, measureLoops, type HookFilter, type Loops } from './lib/hook-loop.js';

const { values } = parseArgs({ options: { requests: { type: 'string', default: '200000' }, base: { type: 'string' } } });
const N = Number(values.requests);

const body = Buffer.from(UNARY_BODY);

/** The filter's loop and the loop without it, from the build in `root`. */
async function loops(root: string): Promise<Loops> {
  const b = await buildParts<{ clusters: { setEndpoint(c: string, e: object): void }; log: unknown }>(root);
  const keys = (await b.load('filters/llm/keys/index.js')).default as { configSchema: object; create(c: unknown, f: unknown): Promise<HookFilter> };
  b.fctx.clusters.setEndpoint('mock', { id: 'mock', socket_address: { address: '127.0.0.1', port: 1 }, llm_meta: { provider: 'openai', api_key: 'sk-up' } });
  const config = b.checkAgainstSchema(keys.configSchema, { keys: [{ key: 'sk-bench-dummy', alias: 'bench', max_budget_usd: 1000000, budget_duration: '1mo' }] });
  if (config.issues.length > 0) throw new Error(JSON.stringify(config.issues));
  const filter = await keys.create(config.value, b.fctx);
  const fresh = b.fresh({ 'content-type': 'application/json', authorization: 'Bearer sk-bench-dummy', host: 'x' }, {}, b.fctx.log, body);
  return hookLoops(filter, fresh, b.LlmExchangeKey, body, 'keys filter');
}

const builds = [{ name: 'this build', ...(await loops(process.cwd())) }];
if (values.base !== undefined) builds.unshift({ name: `base ${values.base}`, ...(await loops(values.base)) });

await measureLoops('keys filter', builds, N);
process.exit(0);
