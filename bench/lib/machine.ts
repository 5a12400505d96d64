// What the numbers were measured on: cores, CPU model, memory, OS, Node, and how busy the machine already was.
import os from 'node:os';

export interface Machine {
  cores: number;
  cpuModel: string;
  memoryGB: number;
  os: string;
  node: string;
  /** 1-minute load average when the run started: near or above `cores` means the numbers are from a busy machine. */
  loadAverageAtStart: number;
}

export function describeMachine(): Machine {
  return {
    cores: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    memoryGB: Number((os.totalmem() / 1024 ** 3).toFixed(1)),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    loadAverageAtStart: Number(os.loadavg()[0]!.toFixed(2)),
  };
}

export function machineLine(m: Machine): string {
  const busy = m.loadAverageAtStart >= m.cores * 0.5 ? ' — a busy machine: other work competed for the cores' : '';
  return `${m.cores} cores (${m.cpuModel}), ${m.memoryGB} GB, ${m.os}, Node ${m.node}; load average ${m.loadAverageAtStart} at start${busy}`;
}
