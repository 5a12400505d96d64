// scripts/test-deps.sh (npm test's pretest): with everything installed it says nothing and succeeds; without the
// servers and without apt-get it stops with one line naming the missing Debian packages, never a silent skip.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';

const SCRIPT = fileURLToPath(new URL('../../scripts/test-deps.sh', import.meta.url));

function run(env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('/bin/bash', [SCRIPT], { env }, (err, stdout, stderr) => resolve({ code: err ? Number(err.code) : 0, stdout, stderr }));
  });
}

t.test('everything installed: silent success', async (t) => {
  t.same(await run({ PATH: process.env.PATH }), { code: 0, stdout: '', stderr: '' });
});

t.test('servers missing and no apt-get: one line naming the packages, exit 1', async (t) => {
  // A PATH with `id` only: no etcd, no redis-server, no apt-get.
  const bin = await mkdtemp(join(tmpdir(), 'dgp-deps-'));
  t.teardown(() => rm(bin, { recursive: true, force: true }));
  await symlink('/usr/bin/id', join(bin, 'id'));
  const r = await run({ PATH: bin });
  t.equal(r.code, 1);
  t.equal(r.stdout, '');
  const lines = r.stderr.trim().split('\n');
  t.equal(lines.length, 1, 'one line');
  t.match(lines[0], /^test-deps: missing Debian package\(s\) .*apt-get install -y/);
  t.match(lines[0], /etcd-server/);
  t.match(lines[0], /redis-server/);
  t.match(lines[0], / chromium/, 'the browser of the dashboard test');
  t.match(lines[0], / prometheus/, 'promtool, for the alert rules test');
});
