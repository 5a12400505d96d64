// CPU of dgp.filter.llm.ratelimit alone, per request: the real filter (built from dist/ by its manifest, with the
// bench's rule — requests, tokens and concurrency on the client's ip, limits never reached — on the memory store) on a
// real request Context, decode + encode + onComplete, against the same loop without the filter (the Context, its body
// and its parse). No sockets, no proxy: what the filter's own code costs (bench/cpu-ab.ts measures the whole request).
//   npm run build && npx tsx bench/limiter-filter-cpu.ts [--requests 200000] [--base <dir>] [--no-headers]
// --base <dir>: another built checkout, measured in alternation with this one (see keys-filter-cpu.ts).
import { parseArgs } from 'node:util';
import { UNARY_BODY } from './load/bodies.js';
import { buildParts, hookLoops, measureLoops, type HookFilter, type Loops } from './lib/hook-loop.js';

const { values } = parseArgs({ options: { requests: { type: 'string', default: '200000' }, base: { type: 'string' }, 'no-headers': { type: 'boolean', default: false } } });
const N = Number(values.requests);

const body = Buffer.from(UNARY_BODY);

/** The filter's loop and the loop without it, from the build in `root`. */
async function loops(root: string): Promise<Loops> {
  const b = await buildParts<{ log: unknown }>(root);
  const limiter = (await b.load('filters/llm/ratelimit/index.js')).default as { configSchema: object; create(c: unknown, f: unknown): Promise<HookFilter> | HookFilter };
  const rule = { scope: 'ip', requests: { per_minute: 1_000_000_000 }, tokens: { per_minute: 1_000_000_000_000 }, concurrency: 100_000 };
  const config = b.checkAgainstSchema(limiter.configSchema, { rules: [rule], ...(values['no-headers'] ? { response_headers: false } : {}) });
  if (config.issues.length > 0) throw new Error(JSON.stringify(config.issues));
  const filter = await limiter.create(config.value, b.fctx);
  const fresh = b.fresh({ 'content-type': 'application/json', host: 'x' }, { remoteAddress: '127.0.0.1' }, b.fctx.log, body);
  return hookLoops(filter, fresh, b.LlmExchangeKey, body, 'rate limiter');
}

const builds = [{ name: 'this build', ...(await loops(process.cwd())) }];
if (values.base !== undefined) builds.unshift({ name: `base ${values.base}`, ...(await loops(values.base)) });

await measureLoops('rate limiter', builds, N);
process.exit(0);
