// Runs one LoadJob against one target: forks the load generator, and while it measures, samples the target's
// process tree (RSS, CPU, open fds) at a fixed interval. Every run has a hard time limit.
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { forkChild, stopChild } from './children.js';
import { openFds, processTree, sampleTree } from './proc-stats.js';
import type { LoadJob, LoadMessage, LoadResult, Row, Target } from './types.js';

const LOADGEN = fileURLToPath(new URL('../load/loadgen.ts', import.meta.url));
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

export interface Sample {
  t: number;
  rssBytes: number | undefined;
  cpuSeconds: number | undefined;
  fds: number | undefined;
}

export interface Measured {
  load: LoadResult;
  samples: Sample[];
  measuredS: number;
}

/** `onPhase` hears the slow-stream generator's phases, with the harness's sample clock (seconds since measuring began). */
export async function measure(target: Target, job: LoadJob, sampleEveryMs: number, onPhase?: (m: Extract<LoadMessage, { type: 'phase' }>, t: number) => void): Promise<Measured> {
  const gen = forkChild(`load generator (${target.name})`, LOADGEN, [], ['--import', TSX]);
  const limitMs = (job.warmupS + job.durationS) * 1000 + 60_000;
  const samples: Sample[] = [];
  let timer: NodeJS.Timeout | undefined;
  let measuringSince = 0;
  const sample = () => {
    const pids = processTree(target.pid);
    samples.push({ t: (performance.now() - measuringSince) / 1000, ...sampleTree(pids), fds: openFds(target.pid) });
  };
  try {
    const load = await new Promise<LoadResult>((resolve, reject) => {
      const limit = setTimeout(() => reject(new Error(`load generator: no result after ${limitMs} ms`)), limitMs);
      gen.proc.on('message', (m: LoadMessage) => {
        if (m.type === 'measuring') {
          measuringSince = performance.now();
          sample();
          timer = setInterval(sample, sampleEveryMs);
        } else if (m.type === 'phase') {
          onPhase?.(m, (performance.now() - measuringSince) / 1000);
        } else if (m.type === 'result') {
          clearTimeout(limit);
          resolve(m.result);
        } else {
          clearTimeout(limit);
          reject(new Error(`load generator failed: ${m.message}`));
        }
      });
      void gen.exited.then((code) => reject(new Error(`load generator exited with code ${code}. ${gen.stderrTail()}`)));
      gen.proc.send(job);
    });
    clearInterval(timer);
    sample();
    return { load, samples, measuredS: (performance.now() - measuringSince) / 1000 };
  } finally {
    clearInterval(timer);
    await stopChild(gen, 2000);
  }
}

const MB = 1024 * 1024;

/** The table row of a measured run: peak RSS, CPU share and requests per CPU-second over the measured window. */
export function toRow(target: Target, m: Measured): Row {
  const rss = m.samples.map((s) => s.rssBytes).filter((v): v is number => v !== undefined);
  const first = m.samples[0]?.cpuSeconds;
  const last = m.samples.at(-1)?.cpuSeconds;
  const cpuS = first !== undefined && last !== undefined ? last - first : undefined;
  return {
    target: target.name,
    label: target.label,
    load: m.load,
    peakRssMB: rss.length ? Math.max(...rss) / MB : undefined,
    cpuPercent: cpuS !== undefined && m.measuredS > 0 ? (cpuS / m.measuredS) * 100 : undefined,
    perCpuSecond: cpuS ? m.load.ok / cpuS : undefined,
  };
}
