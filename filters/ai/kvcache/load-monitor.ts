// The load and memory readings behind the cache strategy. As in Pixiu (load_monitor.go, spec §8.3 item 23) they
// measure the gateway process, not vLLM or GPU memory: CPU = process CPU time over wall time × cores, memory = heap
// in use over resident memory (Go: MemStats.Alloc / Sys). The first CPU sample is 0.
import { availableParallelism } from 'node:os';

export interface LoadSample {
  /** 0..1 over all cores. */
  cpu: number;
  /** 0..1. */
  mem: number;
}

const clamp = (v: number): number => (Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : 0);

export class LoadMonitor {
  #last: { cpuUs: number; wallMs: number } | undefined;
  readonly #cores = Math.max(1, availableParallelism());

  sample(): LoadSample {
    const u = process.cpuUsage();
    const now = { cpuUs: u.user + u.system, wallMs: performance.now() };
    const prev = this.#last;
    this.#last = now;
    const cpu = prev === undefined || now.wallMs <= prev.wallMs ? 0 : (now.cpuUs - prev.cpuUs) / 1000 / ((now.wallMs - prev.wallMs) * this.#cores);
    const m = process.memoryUsage();
    return { cpu: clamp(cpu), mem: clamp(m.rss > 0 ? m.heapUsed / m.rss : 0) };
  }
}
