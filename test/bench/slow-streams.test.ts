// The slow scenario's generator against the real mock (bench/load/slow-streams.ts, bench/mock/mock-upstream.mjs):
// stamped chunks paced by the mock, every chunk's latency noted, the plateau and the first end told, slow readers
// completing at their pace, and a cut or short stream counted as an error.
import { fork, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import t, { type Test } from 'tap';
import { runSlowStreams } from '../../bench/load/slow-streams.js';
import { JSON_HEADERS } from '../../bench/load/bodies.js';
import type { LoadMessage } from '../../bench/lib/types.js';

const MOCK = fileURLToPath(new URL('../../bench/mock/mock-upstream.mjs', import.meta.url));

async function startMock(t: Test): Promise<string> {
  const child: ChildProcess = fork(MOCK, [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  t.teardown(() => void child.kill());
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m: { port: number }) => resolve(m.port));
    child.once('exit', (code) => reject(new Error(`mock exited ${code}`)));
  });
  return `http://127.0.0.1:${port}`;
}

// Streams of 600 ms opened over 100 ms: all open at once even on a busy machine.
const job = { streams: 20, rampS: 0.1, chunks: 5, gapMs: 150, padBytes: 0, timeoutMs: 10_000 };

t.test('streams through the mock: every chunk stamped and timed, plateau then draining', async (t) => {
  const origin = await startMock(t);
  const phases: LoadMessage[] = [];
  const r = await runSlowStreams({ origin, path: '/v1/chat/completions', headers: { ...JSON_HEADERS } }, job, (m) => phases.push(m));
  t.equal(r.kind, 'slow');
  t.equal(r.ok, 20);
  t.equal(r.errors, 0, r.errorSamples.join('; '));
  t.equal(r.peakOpen, 20, 'every stream open at once: the ramp is shorter than a stream');
  t.ok(r.chunkLatency, 'a latency per chunk');
  t.ok(r.chunkLatency!.p50 >= 0 && r.chunkLatency!.p99 < 1000, `p50 ${r.chunkLatency!.p50} ms, p99 ${r.chunkLatency!.p99} ms`);
  t.same(phases.map((p) => p.type === 'phase' && p.phase), ['plateau', 'draining']);
});

t.test('slow readers finish at their own pace and take longer than the mock writes', async (t) => {
  const origin = await startMock(t);
  const start = performance.now();
  // 5 chunks of ~2.3 KB written in 80 ms, read 1 KB per 100 ms tick: about 1.2 s.
  const r = await runSlowStreams({ origin, path: '/v1/chat/completions', headers: { ...JSON_HEADERS } }, { ...job, streams: 5, gapMs: 20, padBytes: 2048, readPerTick: 1024 });
  t.equal(r.ok, 5, r.errorSamples.join('; '));
  t.equal(r.errors, 0);
  t.equal(r.chunkLatency, undefined, 'no chunk latency for slow readers');
  t.ok(performance.now() - start > 900, 'the reader set the pace');
});

t.test('a stream cut short or missing chunks is an error, with the reason', async (t) => {
  // A proxy that answers every stream with two chunks and no [DONE], and one that drops the stamps.
  const bodies = ['data: {"content":"@1@"}\n\ndata: {"content":"@2@"}\n\n', 'data: {"content":"none"}\n\ndata: [DONE]\n\n'];
  for (const [i, expected] of [[0, 'stream cut before data: [DONE]'], [1, '0 stamped chunks, expected 5']] as const) {
    const server = http.createServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'text/event-stream' }).end(bodies[i]);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    t.teardown(() => void server.close());
    const { port } = server.address() as { port: number };
    const r = await runSlowStreams({ origin: `http://127.0.0.1:${port}`, path: '/v1/chat/completions', headers: { ...JSON_HEADERS } }, { ...job, streams: 3 });
    t.equal(r.ok, 0);
    t.equal(r.errors, 3);
    t.same(r.errorSamples, [`3× ${expected}`]);
  }
});

t.test('the mock rejects a malformed x-bench-slow with a 400', async (t) => {
  const origin = await startMock(t);
  const res = await fetch(`${origin}/v1/chat/completions`, { method: 'POST', headers: { 'x-bench-slow': 'lots,soon' }, body: '{"stream":true}' });
  t.equal(res.status, 400);
  t.match(await res.text(), /x-bench-slow takes <chunks>,<gap ms>,<pad bytes>/);
});
