// The slow-stream load: N streams opened one after another over a ramp and held open while the mock sends stamped
// chunks `gap` ms apart. Raw node:http with one socket per stream (no pool queueing, no per-request promise chain):
// 2,000 streams must not cost the generator more than the target. Normal readers note, for every chunk, receive
// time − the stamp the mock wrote; slow readers leave the body paused and read a few KB every 100 ms, so the target
// has to hold back (or buffer) what the client does not take. Tells the harness when every stream is open (the
// plateau) and when the first one ends.
import http from 'node:http';
import type { LoadMessage, LoadResult, RequestSpec } from '../lib/types.js';
import { monoUs, StampScanner } from '../lib/slow-math.js';
import { percentiles, Samples } from '../lib/stats.js';
import { STREAM_BODY, STREAM_TAIL } from './bodies.js';

export interface SlowJob {
  streams: number;
  rampS: number;
  chunks: number;
  gapMs: number;
  padBytes: number;
  /** Slow readers: bytes read per 100 ms tick; absent: read as fast as the bytes come. */
  readPerTick?: number;
  /** Give up on a stream after this long. */
  timeoutMs: number;
}

const TAIL = Buffer.from(STREAM_TAIL);
const body = Buffer.from(STREAM_BODY);

interface Open {
  res: http.IncomingMessage;
  onBytes(b: Buffer): void;
}

export function runSlowStreams(req: RequestSpec, job: SlowJob, phase?: (m: LoadMessage) => void): Promise<LoadResult> {
  const url = new URL(req.origin);
  // One socket per stream, never reused: what a client holding a long stream does.
  const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
  const headers = { ...req.headers, 'x-bench-slow': `${job.chunks},${job.gapMs},${job.padBytes}`, 'content-length': String(body.length) };
  const latency = new Samples();
  const errorSamples = new Map<string, number>();
  let errors = 0;
  let ok = 0;
  let started = 0;
  let open = 0;
  let peakOpen = 0;
  let finished = 0;
  let firstEnded = false;
  const readers = new Set<Open>();
  const t0 = performance.now();

  return new Promise((resolve) => {
    const fail = (why: string) => {
      errors++;
      errorSamples.set(why, (errorSamples.get(why) ?? 0) + 1);
    };
    let ticker: NodeJS.Timeout | undefined;
    const done = () => {
      if (++finished < job.streams) return;
      clearInterval(ticker);
      agent.destroy();
      const elapsedS = (performance.now() - t0) / 1000;
      resolve({
        kind: 'slow',
        ok,
        errors,
        errorSamples: [...errorSamples].map(([e, n]) => `${n}× ${e}`),
        durationS: elapsedS,
        rps: ok / elapsedS,
        chunkLatency: percentiles(latency.view()),
        peakOpen,
        resolutionMs: 0.001,
      });
    };
    const one = () => {
      started++;
      let settled = false;
      let wasOpen = false;
      const end = (why?: string) => {
        if (settled) return;
        settled = true;
        if (wasOpen) open--;
        if (!firstEnded && wasOpen) {
          firstEnded = true;
          phase?.({ type: 'phase', phase: 'draining', open });
        }
        if (why) fail(why);
        else ok++;
        done();
      };
      const r = http.request({ host: url.hostname, port: url.port, path: req.path, method: 'POST', headers, agent }, (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          return end(`status ${res.statusCode}`);
        }
        open++;
        wasOpen = true;
        if (open > peakOpen) peakOpen = open;
        if (started === job.streams && open === job.streams) phase?.({ type: 'phase', phase: 'plateau', open });
        const scanner = new StampScanner();
        let tail = Buffer.alloc(0);
        let stamps = 0;
        const onBytes = (b: Buffer) => {
          const now = monoUs();
          for (const s of scanner.push(b)) {
            stamps++;
            if (!job.readPerTick) latency.push((now - s) / 1000);
          }
          tail = Buffer.concat([tail, b]).subarray(-TAIL.length);
        };
        const entry = { res, onBytes };
        res.on('end', () => {
          readers.delete(entry);
          if (!tail.equals(TAIL)) end('stream cut before data: [DONE]');
          else if (stamps !== job.chunks) end(`${stamps} stamped chunks, expected ${job.chunks}`);
          else end();
        });
        res.on('error', (e) => end(`response: ${(e as NodeJS.ErrnoException).code ?? e.message}`));
        if (job.readPerTick) readers.add(entry);
        else res.on('data', onBytes);
      });
      r.setTimeout(job.timeoutMs, () => r.destroy(new Error('timeout')));
      r.on('error', (e) => end(`request: ${(e as NodeJS.ErrnoException).code ?? e.message}`));
      r.end(body);
    };
    if (job.readPerTick) {
      // One timer for every slow reader: read at most readPerTick bytes each, leave the rest in the socket.
      const n = job.readPerTick;
      ticker = setInterval(() => {
        for (const o of readers) {
          const len = Math.min(n, o.res.readableLength);
          if (len > 0) {
            const b = o.res.read(len) as Buffer | null;
            if (b) o.onBytes(b);
          } else o.res.read(0);
        }
      }, 100);
    }
    // Starts spread evenly over the ramp, a batch per 10 ms tick (a timer per stream would cost more than the stream).
    const perMs = job.streams / Math.max(1, job.rampS * 1000);
    const launcher = setInterval(() => {
      const due = Math.min(job.streams, Math.ceil((performance.now() - t0) * perMs) || 1);
      while (started < due) one();
      if (started >= job.streams) clearInterval(launcher);
    }, 10);
  });
}
