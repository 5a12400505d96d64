// Observes streamed response bodies chunk by chunk — how many chunks, how many bytes, how long until the first —
// and reports them as metrics and one log line per stream, passing every byte through unchanged.
import { API_VERSION, defineAttribute } from 'dgp-gateway';

// Per-request state lives on the request context, never in create()'s closure (one instance serves every request).
const Meter = defineAttribute('example.stream_meter');

export default {
  kind: 'example.stream-meter',
  apiVersion: API_VERSION,
  description: 'Counts the chunks and bytes of streamed responses and times the first chunk (example plugin).',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      log: { type: 'boolean', default: true, description: 'Log one line per finished stream.' },
    },
  },
  create(config, fctx) {
    const chunks = fctx.metrics.counter({ name: 'example_stream_chunks_total', help: 'Streamed response chunks seen.', labelNames: ['route'] });
    const firstChunk = fctx.metrics.histogram({ name: 'example_stream_first_chunk_seconds', help: 'Request start to first streamed chunk.', labelNames: ['route'], buckets: [0.01, 0.05, 0.1, 0.5, 1, 5] });
    return {
      decode(ctx) {
        ctx.set(Meter, { start: performance.now(), chunks: 0, bytes: 0, firstMs: undefined });
      },
      // Returning nothing passes the chunk on unchanged; the next chunk waits for this hook (keep it cheap).
      onChunk(ctx, chunk) {
        const m = ctx.get(Meter);
        if (m === undefined) return;
        if (m.chunks === 0) {
          m.firstMs = performance.now() - m.start;
          firstChunk.observe({ route: ctx.route?.id ?? '' }, m.firstMs / 1000);
        }
        m.chunks += 1;
        m.bytes += chunk.length;
      },
      // Always runs once: after a finished stream, an error, or a client that went away.
      onComplete(ctx) {
        const m = ctx.get(Meter);
        if (m === undefined || m.chunks === 0) return;
        chunks.inc({ route: ctx.route?.id ?? '' }, m.chunks);
        if (config.log) ctx.log.info({ chunks: m.chunks, bytes: m.bytes, first_chunk_ms: Math.round(m.firstMs), aborted: ctx.aborted }, 'stream metered');
      },
    };
  },
};
