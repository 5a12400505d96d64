// Drives dgp.filter.llm.tokenizer the way the host does — decode, a fake proxy sets the response, encode, onChunk per
// chunk (collecting what the client would receive), onStreamEnd, onComplete — and reads metric values back.
import { gzipSync } from 'node:zlib';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { UpstreamAttempts, type UpstreamAttempt, type WorkerPoolApi } from '../../../../core/index.js';
import manifest from '../../../../filters/llm/tokenizer/index.js';
import type { TokenizerFilter } from '../../../../filters/llm/tokenizer/filter.js';
import type { TokenizerConfig } from '../../../../filters/llm/tokenizer/schema.js';
import { stubFactoryContext } from '../../../helpers/factory-context.js';
import { testContext, type TestContext, type TestContextInit } from '../../../helpers/request-context.js';

export interface Rig {
  filter: TokenizerFilter;
  registry: Registry;
}

export async function rig(pool: WorkerPoolApi, config: TokenizerConfig = {}, configDir?: string): Promise<Rig> {
  const fctx = stubFactoryContext({ workers: pool, ...(configDir === undefined ? {} : { configDir }) });
  const filter = await manifest.create(config, fctx);
  return { filter, registry: fctx.registry };
}

export interface Upstream {
  status?: number;
  headers?: Record<string, string>;
  /** A Buffer is a unary body; an array is streamed chunk by chunk. */
  body: Buffer | Buffer[];
  /** Wait this long before the first streamed chunk. */
  firstChunkDelayMs?: number;
  attempts?: UpstreamAttempt[];
}

export interface Exchange {
  ctx: TestContext;
  /** The request body the upstream received (after decode). */
  upstreamBody: Record<string, unknown>;
  /** The bytes the client received. */
  client: Buffer;
}

/** One request through the filter; `respond` builds the upstream answer from the body the upstream received. */
export async function exchange(
  r: Rig,
  init: TestContextInit,
  respond: (upstreamBody: Record<string, unknown>) => Upstream,
  opts: { abortAfterChunks?: number; log?: Logger; proxy?: (ctx: TestContext) => void } = {},
): Promise<Exchange> {
  const ctx = testContext(opts.log ? { ...init, log: opts.log } : init);
  await r.filter.decode(ctx);
  opts.proxy?.(ctx);
  const upstreamBody = JSON.parse((await ctx.request.body()).toString('utf8') || '{}') as Record<string, unknown>;
  const up = respond(upstreamBody);
  if (up.attempts) ctx.set(UpstreamAttempts, up.attempts);
  ctx.response.status = up.status ?? 200;
  ctx.response.headers = { ...up.headers };
  const chunks = Array.isArray(up.body) ? up.body : undefined;
  ctx.response.body = chunks ? delayed(chunks, up.firstChunkDelayMs ?? 0) : (up.body as Buffer);
  r.filter.encode(ctx);
  const out: Buffer[] = [];
  const body = ctx.response.body;
  if (Buffer.isBuffer(body)) {
    out.push(body);
  } else if (body) {
    let n = 0;
    let aborted = false;
    for await (const chunk of body) {
      const replaced = await r.filter.onChunk(ctx, chunk);
      out.push(replaced ?? chunk);
      if (opts.abortAfterChunks !== undefined && ++n >= opts.abortAfterChunks) {
        ctx.abortClient();
        aborted = true;
        break;
      }
    }
    if (!aborted) {
      const tail = await r.filter.onStreamEnd(ctx);
      if (tail) out.push(tail);
    }
  }
  await r.filter.onComplete(ctx);
  return { ctx, upstreamBody, client: Buffer.concat(out) };
}

async function* delayed(chunks: Buffer[], firstDelayMs: number): AsyncIterable<Buffer> {
  if (firstDelayMs > 0) await new Promise((res) => setTimeout(res, firstDelayMs));
  for (const c of chunks) yield c;
}

/** Splits bytes into chunks of `size` (the last may be shorter). */
export function chunksOf(b: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < b.length; i += size) out.push(b.subarray(i, i + size));
  return out;
}

export function sse(text: string, opts: { gzip?: boolean; chunk?: number } = {}): Upstream {
  const bytes = opts.gzip ? gzipSync(Buffer.from(text)) : Buffer.from(text);
  return {
    headers: { 'content-type': 'text/event-stream; charset=utf-8', ...(opts.gzip ? { 'content-encoding': 'gzip' } : {}) },
    body: chunksOf(bytes, opts.chunk ?? 97),
  };
}

export function json(text: string, opts: { gzip?: boolean } = {}): Upstream {
  return {
    headers: { 'content-type': 'application/json', ...(opts.gzip ? { 'content-encoding': 'gzip' } : {}) },
    body: opts.gzip ? gzipSync(Buffer.from(text)) : Buffer.from(text),
  };
}

/** Sum of a metric's values whose labels include `labels`. */
export async function metric(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const m = registry.getSingleMetric(name);
  if (!m) return 0;
  const data = await m.get();
  let sum = 0;
  for (const v of data.values) {
    const l = v.labels as Record<string, string | number>;
    if (Object.entries(labels).every(([k, want]) => String(l[k]) === want)) sum += v.value;
  }
  return sum;
}

/** A histogram's count, sum and bucket counts for matching labels. */
export async function histogram(registry: Registry, name: string, labels: Record<string, string> = {}) {
  const m = registry.getSingleMetric(name);
  const out = { count: 0, sum: 0, buckets: new Map<number, number>() };
  if (!m) return out;
  for (const v of (await m.get()).values) {
    const l = v.labels as Record<string, string | number>;
    if (!Object.entries(labels).every(([k, want]) => String(l[k]) === want)) continue;
    const series = (v as { metricName?: string }).metricName ?? '';
    if (series.endsWith('_count')) out.count += v.value;
    else if (series.endsWith('_sum')) out.sum += v.value;
    else if (series.endsWith('_bucket')) out.buckets.set(Number(l.le), (out.buckets.get(Number(l.le)) ?? 0) + v.value);
  }
  return out;
}
