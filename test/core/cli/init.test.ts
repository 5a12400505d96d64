// dgp init: configs for provider sets that validate strictly.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { formatProblem } from '../../../core/config/load.js';
import { routesView } from '../../../core/config/routes-view.js';
import { preflight } from '../../../core/multicore/preflight.js';
import { dgp } from './helpers.js';

t.test('init: a commented config for the chosen providers that validates strictly with no environment; never overwrites', async (t) => {
  const base = mkdtempSync(join(tmpdir(), 'dgp-init-'));
  for (const set of ['openai', 'anthropic', 'gemini,vllm', 'openai,anthropic,gemini,deepseek,vllm']) {
    const dir = join(base, set.replace(/,/g, '-'));
    const r = dgp(['init', '--providers', set, '--config-dir', dir]);
    t.equal(r.status, 0, r.stderr);
    t.match(r.stdout, new RegExp(`^wrote ${dir}/conf\\.yaml`));
    // What `dgp validate --strict` and `dgp routes` run, in process (one spawn per command is seconds under load).
    const v = await preflight({ configDir: dir }, [], true, {});
    t.same(v.problems.map(formatProblem), [], `${set}: valid under --strict, no warning either`);
    const clusters = routesView(v.loaded.config!).clusters.map((c) => c.name);
    t.same(clusters, set.split(','), `${set}: one cluster per provider`);
  }
  const all = dgp(['routes', '--json', '--config-dir', join(base, 'openai-anthropic-gemini-deepseek-vllm')]);
  t.equal(all.status, 0, 'dgp routes reads the written config');
  const view = JSON.parse(all.stdout) as { listeners: Array<{ routes: Array<{ id: string; match: string; cluster: string }> }> };
  const byId = Object.fromEntries(view.listeners[0]!.routes.map((r) => [r.id, `${r.match} → ${r.cluster}`]));
  t.equal(byId.anthropic, 'prefix /v1/messages → anthropic', 'Anthropic clients reach Anthropic');
  t.equal(byId.gemini, 'prefix /v1beta/ → gemini');
  t.equal(byId.openai, 'prefix /v1/ → openai');
  t.ok(view.listeners[0]!.routes.findIndex((r) => r.id === 'anthropic') < view.listeners[0]!.routes.findIndex((r) => r.id === 'openai'), '/v1/messages is matched before /v1/');
  const again = dgp(['init', '--config-dir', join(base, 'openai')]);
  t.equal(again.status, 1);
  t.match(again.stderr, /exists; not overwriting it \(pass --force/);
  t.equal(dgp(['init', '--force', '--config-dir', join(base, 'openai')]).status, 0);
  const bad = dgp(['init', '--providers', 'openai,antropic', '--config-dir', join(base, 'x')]);
  t.equal(bad.status, 2);
  t.match(bad.stderr, /unknown: antropic\); did you mean "anthropic"\?/);
});
