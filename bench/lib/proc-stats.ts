// Per-process measurements from /proc (Linux): resident memory and CPU time of a process and its descendants
// (`dgp --workers` forks), and open file descriptors. Elsewhere every reading is undefined and shown as "n/a".
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

let clockTicks: number | undefined;
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

interface StatLine {
  ppid: number;
  cpuTicks: number;
}

function readStat(pid: number): StatLine | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses: fields start after the last ')'.
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(f[1]), cpuTicks: Number(f[11]) + Number(f[12]) };
  } catch {
    return undefined;
  }
}

/** The pid and every descendant (one /proc scan). */
export function processTree(root: number): number[] {
  let pids: number[];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number);
  } catch {
    return [root];
  }
  const children = new Map<number, number[]>();
  for (const pid of pids) {
    const st = readStat(pid);
    if (!st) continue;
    const list = children.get(st.ppid) ?? [];
    list.push(pid);
    children.set(st.ppid, list);
  }
  const out = [root];
  for (let i = 0; i < out.length && out.length < 10_000; i++) out.push(...(children.get(out[i]!) ?? []));
  return out;
}

function rssBytes(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

export interface TreeSample {
  rssBytes: number | undefined;
  /** CPU seconds (user + system) used so far by the tree's live processes. */
  cpuSeconds: number | undefined;
}

export function sampleTree(pids: number[]): TreeSample {
  let rss = 0;
  let cpu = 0;
  let seen = false;
  for (const pid of pids) {
    const r = rssBytes(pid);
    const st = readStat(pid);
    if (r === undefined || !st) continue;
    seen = true;
    rss += r;
    cpu += st.cpuTicks;
  }
  return seen ? { rssBytes: rss, cpuSeconds: cpu / ticksPerSecond() } : { rssBytes: undefined, cpuSeconds: undefined };
}

/** Open file descriptors of one process (sockets, pipes, files). */
export function openFds(pid: number): number | undefined {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return undefined;
  }
}
