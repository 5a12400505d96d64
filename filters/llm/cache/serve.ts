// Writing a cached answer as the response, in the API of the client that asked: a stored record replayed (unary or
// stream, replay.ts) or, for a streaming follower, its leader's live answer as it arrives (live-replay.ts).
import type { RequestContext } from '../../../core/index.js';
import type { CodecLog } from '../../../core/llm/index.js';
import type { LiveAnswer } from './live.js';
import { liveStream } from './live-replay.js';
import type { CacheRecord } from './record.js';
import { replayStream, replayUnary, type ReplayTarget } from './replay.js';
import type { CacheableRequest } from './request.js';

/** The request's logger, made only if a codec logs (ctx.log builds a child logger on first use). */
function lazyLog(ctx: RequestContext): CodecLog {
  return { debug: (o, m) => ctx.log.debug(o, m), warn: (o, m) => ctx.log.warn(o, m) };
}

function replayTarget(ctx: RequestContext, req: CacheableRequest): ReplayTarget {
  return { client: req.codec.client, settings: req.codec.settings, log: lazyLog(ctx), clientModel: req.model, stream: req.stream, includeUsage: req.includeUsage, query: ctx.request.query, api: req.api };
}

/** A stored record as the response: a stream paced by replay_pacing_ms, or a JSON body. */
export function writeReplay(ctx: RequestContext, req: CacheableRequest, rec: CacheRecord, pacingMs: number): void {
  const target = replayTarget(ctx, req);
  const res = ctx.response;
  res.status = 200;
  if (req.stream) {
    const { contentType, body } = replayStream(target, rec, pacingMs, ctx);
    res.headers = { 'content-type': contentType, 'cache-control': 'no-cache' };
    res.body = body;
  } else {
    res.headers = { 'content-type': 'application/json' };
    res.body = replayUnary(target, rec);
  }
}

/** The follower's stream over its leader's live answer; undefined when it could not attach. */
export function startLive(ctx: RequestContext, req: CacheableRequest, live: LiveAnswer): { contentType: string; body: AsyncIterable<Buffer> } | undefined {
  return liveStream(replayTarget(ctx, req), live, ctx);
}

/** A live follower's stream as the response. */
export function writeLive(ctx: RequestContext, out: { contentType: string; body: AsyncIterable<Buffer> }): void {
  ctx.response.status = 200;
  ctx.response.headers = { 'content-type': out.contentType, 'cache-control': 'no-cache' };
  ctx.response.body = out.body;
}
