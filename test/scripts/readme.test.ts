// The README's two commands stay true: `npm ci && npm start` needs dist/ after `npm ci` (the prepare step builds it,
// so `npx dgp` works in the clone too) and a start script on the shipped configs; `npm ci && npm test` needs the
// pretest step to cover every server binary the test helpers spawn, and .ci/run to run exactly that command.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const read = (p: string): string => readFileSync(join(ROOT, p), 'utf8');
const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string>; bin: Record<string, string> };

t.test('the README opens with the two commands', async (t) => {
  const block = /```\n([\s\S]*?)```/.exec(read('README.md'))![1]!;
  const commands = block.split('\n').filter(Boolean).map((l) => l.replace(/\s+#.*$/, '').trim());
  t.same(commands, ['npm ci && npm start', 'npm ci && npm test']);
});

t.test('npm ci builds dist/ (prepare), which the bin and npm start use', async (t) => {
  t.match(pkg.scripts.prepare, /tsc -p tsconfig\.json/, 'npm ci runs prepare: dist/ exists right after it');
  t.equal(pkg.bin.dgp, './dist/core/cli.js');
  t.match(pkg.scripts.start, /node dist\/core\/cli\.js start --config-dir configs/);
});

t.test('npm test installs every server the test helpers spawn, and CI runs the README command', async (t) => {
  t.equal(pkg.scripts.pretest, 'bash scripts/test-deps.sh');
  const deps = read('scripts/test-deps.sh');
  const helpers = readdirSync(join(ROOT, 'test/helpers')).filter((f) => f.endsWith('.ts')).map((f) => read(join('test/helpers', f))).join('\n');
  const spawned = new Set<string>();
  for (const m of helpers.matchAll(/spawn\(\s*'([a-z-]+)'/g)) spawned.add(m[1]!);
  for (const m of helpers.matchAll(/binary\('([a-z-]+)'\)|['"](initdb|pg_ctl|postgres|etcd|redis-server)['"]/g)) spawned.add((m[1] ?? m[2])!);
  t.ok(spawned.size >= 2, `found the spawned servers: ${[...spawned].join(', ')}`);
  for (const cmd of spawned) {
    const covered = deps.includes(`[${cmd}]=`) || (['pg_ctl', 'postgres'].includes(cmd) && deps.includes('[initdb]=postgresql'));
    t.ok(covered, `scripts/test-deps.sh installs what provides ${cmd}`);
  }
  const ci = read('.ci/run');
  t.match(ci, /npm ci /);
  t.match(ci, /npm test /);
});
