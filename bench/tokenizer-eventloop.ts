// Benchmark for issue 5: tokenizing 200 KB prompts under concurrent load, on the main thread versus through the
// worker pool. Reports event-loop delay (p50 / p99 / max) and tokens per second (per worker) as a Markdown table.
//
//   node --import tsx bench/tokenizer-eventloop.ts [--requests 40] [--concurrency 8] [--threads N] [--kb 200]
//
// The claim it checks: with the pool, event-loop delay p99 stays under 10 ms; on the main thread it does not.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { get_encoding } from 'tiktoken';
import { createWorkerPool, defaultThreadCount } from '../core/workers/index.js';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '40' },
    concurrency: { type: 'string', default: '8' },
    threads: { type: 'string', default: String(defaultThreadCount()) },
    kb: { type: 'string', default: '200' },
    encoding: { type: 'string', default: 'o200k_base' },
  },
});
const REQUESTS = Number(values.requests);
const CONCURRENCY = Number(values.concurrency);
const THREADS = Number(values.threads);
const ENCODING = values.encoding as 'o200k_base' | 'cl100k_base';

/** Deterministic English-like text with some punctuation, digits and non-ASCII, `kb` KiB long. */
function makePrompt(kb: number, seed: number): string {
  const words = ['the', 'gateway', 'streams', 'tokens', 'quickly', 'through', 'workers', 'while', 'requests', 'wait', 'für', '数据', 'model', 'latency', 'p99', 'budget', 'cache', 'prefix'];
  let state = seed;
  // mulberry32: a small deterministic PRNG, so every run tokenizes the same text.
  const rand = () => {
    state = (state + 0x6d2b79f5) | 0;
    let z = Math.imul(state ^ (state >>> 15), 1 | state);
    z = (z + Math.imul(z ^ (z >>> 7), 61 | z)) ^ z;
    return ((z ^ (z >>> 14)) >>> 0) / 4294967296;
  };
  const out: string[] = [];
  let len = 0;
  while (len < kb * 1024) {
    const x = Math.floor(rand() * 1e6);
    const w = words[x % words.length]! + (x % 11 === 0 ? '. ' : x % 7 === 0 ? ', ' : ' ');
    out.push(w);
    len += Buffer.byteLength(w);
  }
  return out.join('');
}

interface Row {
  scenario: string;
  threads: number;
  wallS: number;
  tokens: number;
  delay: { p50: number; p99: number; max: number };
}

/** Runs `REQUESTS` jobs with at most `CONCURRENCY` in flight while sampling event-loop delay. */
async function measure(scenario: string, threads: number, job: (i: number) => Promise<number>): Promise<Row> {
  const h = monitorEventLoopDelay({ resolution: 1 });
  // A timer ticking every millisecond stands for the other traffic the loop must keep serving.
  const ticker = setInterval(() => {}, 1);
  h.enable();
  const start = performance.now();
  let next = 0;
  let tokens = 0;
  const lanes = Array.from({ length: CONCURRENCY }, async () => {
    while (next < REQUESTS) {
      const n = await job(next++);
      tokens += n;
    }
  });
  await Promise.all(lanes);
  const wallS = (performance.now() - start) / 1000;
  h.disable();
  clearInterval(ticker);
  const ms = (ns: number) => ns / 1e6;
  return { scenario, threads, wallS, tokens, delay: { p50: ms(h.percentile(50)), p99: ms(h.percentile(99)), max: ms(h.max) } };
}

const prompts = Array.from({ length: 4 }, (_, i) => makePrompt(Number(values.kb), i + 1));
const enc = get_encoding(ENCODING);
enc.encode_ordinary(prompts[0]!); // warm the main-thread encoder too
const yieldToLoop = () => new Promise<void>((r) => setImmediate(r));

const mainRow = await measure('main thread', 1, async (i) => {
  await yieldToLoop(); // a request arrives, then is tokenized synchronously
  return enc.encode_ordinary(prompts[i % prompts.length]!).length;
});

const pool = createWorkerPool({ threads: THREADS, maxQueue: REQUESTS });
// Warm every thread (WASM compile and encoder tables) so the table compares steady states.
await Promise.all(Array.from({ length: THREADS * 2 }, () => pool.run('tokenize', { text: 'warm up', encoding: ENCODING })));
const poolRow = await measure('worker pool', THREADS, async (i) => {
  const r = await pool.run<{ count: number }>('tokenize', { text: prompts[i % prompts.length]!, encoding: ENCODING });
  return r.count;
});
await pool.close();
enc.free();

const fmt = (n: number, d = 1) => n.toFixed(d);
console.log(`\n${REQUESTS} prompts of ${values.kb} KB (${ENCODING}), ${CONCURRENCY} in flight, node ${process.version}\n`);
console.log('| scenario | threads | wall s | tokens/s | tokens/s per worker | loop delay p50 ms | p99 ms | max ms |');
console.log('|---|---|---|---|---|---|---|---|');
for (const r of [mainRow, poolRow]) {
  const tps = r.tokens / r.wallS;
  console.log(`| ${r.scenario} | ${r.threads} | ${fmt(r.wallS, 2)} | ${fmt(tps, 0)} | ${fmt(tps / r.threads, 0)} | ${fmt(r.delay.p50)} | ${fmt(r.delay.p99)} | ${fmt(r.delay.max)} |`);
}
const ok = poolRow.delay.p99 < 10;
console.log(`\nevent-loop delay p99 with the pool: ${fmt(poolRow.delay.p99)} ms (${ok ? 'under' : 'OVER'} the 10 ms target)`);
process.exitCode = ok ? 0 : 1;
