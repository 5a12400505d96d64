// Tiny existence probes for the plugin scanners: stat follows symlinks, so `npm link`-ed plugin folders count.
import { stat } from 'node:fs/promises';

export async function isFile(path: string): Promise<boolean> {
  return stat(path).then((s) => s.isFile(), () => false);
}

export async function isDir(path: string): Promise<boolean> {
  return stat(path).then((s) => s.isDirectory(), () => false);
}
