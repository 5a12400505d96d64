// Discovers every built-in plugin (filters/<group>/<name>, adapters/<a>/<b>) the way the host does and runs the
// conformance suite on each, with its fixture test/conformance/fixtures/<kind>.json (format: test/helpers/conformance.ts).
import t from 'tap';
import { loadPlugins } from '../../core/registry/index.js';
import { readConformanceFixture, runConformance } from '../helpers/conformance.js';

t.test('every built-in plugin passes the conformance suite', async (t) => {
  const registry = await loadPlugins({ pluginDirs: [] });
  t.same(registry.problems.map((p) => `${p.code}: ${p.message}`), [], 'every built-in loads without problems');
  const builtins = registry.entries().filter((e) => e.source.builtin);
  if (builtins.length === 0) t.comment('no built-in plugins yet');
  for (const entry of builtins) {
    const fixture = await readConformanceFixture(entry.kind);
    if (fixture === undefined) {
      t.fail(`${entry.kind} has no conformance fixture: add test/conformance/fixtures/${entry.kind}.json`, {
        expected: '{ "valid": [config...], "invalid": [{ "config": ..., "pointer": "/field" }...] }',
      });
      continue;
    }
    await runConformance(t, {
      manifest: entry.manifest,
      folder: entry.source.folder,
      validConfigs: fixture.valid,
      invalidConfigs: fixture.invalid,
    });
  }
});
