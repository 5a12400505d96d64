// Every process the benchmark starts: spawned in its own process group, remembered here, and killed (group and all)
// at the end, on Ctrl-C, on SIGTERM and on any error, so no mock, proxy or gateway outlives a run.
import { fork, spawn, type ChildProcess } from 'node:child_process';

export interface Child {
  name: string;
  proc: ChildProcess;
  pid: number;
  /** The last few KB of stderr, for error messages. */
  stderrTail(): string;
  exited: Promise<number | null>;
}

const live = new Set<Child>();

function track(name: string, proc: ChildProcess): Child {
  if (proc.pid === undefined) throw new Error(`${name}: could not start (no pid)`);
  let tail = '';
  proc.stderr?.setEncoding('utf8');
  proc.stderr?.on('data', (s: string) => (tail = (tail + s).slice(-4096)));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const child: Child = { name, proc, pid: proc.pid, stderrTail: () => tail.trim(), exited };
  live.add(child);
  void exited.then(() => live.delete(child));
  return child;
}

/** Runs a program (its stdout discarded unless asked, so log output costs the target and not the harness). */
export function spawnChild(name: string, cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; stdout?: 'ignore' | 'pipe' } = {}): Child {
  const proc = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, detached: true, stdio: ['ignore', opts.stdout ?? 'ignore', 'pipe'] });
  return track(name, proc);
}

/** Starts a Node program with an IPC channel; it leaves when the channel closes. */
export function forkChild(name: string, file: string, args: string[], execArgv: string[] = [], env: NodeJS.ProcessEnv = process.env): Child {
  const proc = fork(file, args, { execArgv, env, detached: true, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  return track(name, proc);
}

/** Resolves with the first IPC message that has `ready`, or rejects on exit or after `ms`. */
export function waitForReady<T extends { ready: true }>(child: Child, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${child.name}: not ready after ${ms} ms. ${child.stderrTail()}`)), ms);
    child.proc.on('message', (m: unknown) => {
      if (m && typeof m === 'object' && (m as { ready?: unknown }).ready === true) {
        clearTimeout(timer);
        resolve(m as T);
      }
    });
    void child.exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${child.name}: exited with code ${code} before it was ready. ${child.stderrTail()}`));
    });
  });
}

function signalGroup(child: Child, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.proc.kill(signal);
    } catch {
      /* already gone */
    }
  }
}

/** SIGTERM (graceful: a gateway writes its --cpu-prof file on the way out), then SIGKILL after `graceMs`. */
export async function stopChild(child: Child, graceMs = 5000): Promise<void> {
  if (!live.has(child)) return;
  signalGroup(child, 'SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const killed = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      signalGroup(child, 'SIGKILL');
      resolve();
    }, graceMs);
  });
  await Promise.race([child.exited, killed]);
  clearTimeout(timer);
  await Promise.race([child.exited, new Promise((r) => setTimeout(r, 1000))]);
}

export async function stopAll(graceMs = 5000): Promise<void> {
  await Promise.all([...live].map((c) => stopChild(c, graceMs)));
}

/** Last resort on the way out: whatever is still alive gets SIGKILL, synchronously. */
function killAllNow(): void {
  for (const c of live) signalGroup(c, 'SIGKILL');
}

let stopping = false;
/** True once a signal asked the run to stop: errors from children dying then are expected, not news. */
export const isStopping = (): boolean => stopping;

let installed = false;
/** Ctrl-C, SIGTERM and uncaught errors stop every child before the harness exits. */
export function installExitHandlers(onSignal: (signal: string) => Promise<void>): void {
  if (installed) return;
  installed = true;
  process.on('exit', killAllNow);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      stopping = true;
      process.stderr.write(`\nbench: ${sig}: stopping every child process\n`);
      void onSignal(sig).finally(() => process.exit(130));
    });
  }
}
