// `--pin`: the runner (and so every process it starts afterwards: the mock, load generators, redis-server) on CPU 0,
// each target's whole process tree, every thread, on CPU 1. Two processes then never trade cores mid-round, which on
// a 2-core VM moved one target's figure by up to 9% against another's.
import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { processTree } from './proc-stats.js';

const LOAD_CPU = 0;
const TARGET_CPU = 1;

function taskset(pid: number, cpu: number): void {
  execFileSync('taskset', ['-a', '-p', '-c', String(cpu), String(pid)], { stdio: 'ignore' });
}

/** Pins this process; throws a message that says what is missing when pinning cannot work here. */
export function pinRunner(): void {
  if (availableParallelism() < 2) throw new Error('--pin needs at least 2 CPUs');
  try {
    taskset(process.pid, LOAD_CPU);
  } catch (err) {
    throw new Error(`--pin needs taskset (Debian: apt-get install util-linux): ${(err as Error).message.split('\n')[0]}`);
  }
}

/** Moves a started target, with its children and all their threads, to the target CPU. */
export function pinTarget(pid: number): void {
  for (const p of processTree(pid)) taskset(p, TARGET_CPU);
}
