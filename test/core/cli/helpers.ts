// The `dgp` binary as a user runs it (compiled dist/, real child processes): shared paths and helpers of the CLI tests.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
export const CLI = join(ROOT, 'dist/core/cli.js');
export const PLUGINS = join(ROOT, 'test/fixtures/host-plugins');
export const EXAMPLE = join(ROOT, 'examples/plugins/header-stamp');

export const dgp = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', env: { PATH: process.env.PATH, ...env }, timeout: 30_000 });

export const tmpConfig = (yaml: string): string => {
  const dir = mkdtempSync(join(tmpdir(), 'dgp-cli-'));
  writeFileSync(join(dir, 'conf.yaml'), yaml);
  return dir;
};
