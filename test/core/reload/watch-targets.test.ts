// What the watcher looks at: the config file, the files it references (found by key or by extension, resolved from
// the config folder, only if they exist) and the plugin folders; and which paths under those are ignored.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { collectTargets, isRelevant, watchRoots } from '../../../core/reload/watch-targets.js';

t.test('collectTargets finds referenced files that exist', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'dgp-targets-'));
  mkdirSync(join(dir, 'tls'));
  mkdirSync(join(dir, 'tok'));
  for (const f of ['conf.yaml', 'tls/cert.pem', 'tls/key.pem', 'tok/llama.json']) writeFileSync(join(dir, f), 'x');
  const raw = {
    static_resources: {
      listeners: [{ config: { cert_file: 'tls/cert.pem', key_file: join(dir, 'tls/key.pem') } }],
      filters: [{ config: { model_encodings: { 'llama*': 'tok/llama.json' }, default_encoding: 'o200k_base' } }],
      clusters: [{ endpoints: [{ llm_meta: { api_key: 'sk-secret.pem.not.a.file', base: 'https://example.com/x.json' } }] }],
      missing: { ca_file: 'nope.pem' },
    },
  };
  const targets = collectTargets(join(dir, 'conf.yaml'), dir, raw, [join(dir, 'plugins')]);
  t.same(targets.files.sort(), [join(dir, 'conf.yaml'), join(dir, 'tls/cert.pem'), join(dir, 'tls/key.pem'), join(dir, 'tok/llama.json')].sort());
  t.same(targets.dirs, [join(dir, 'plugins')]);
  t.same(watchRoots(targets).sort(), [dir, join(dir, 'plugins'), join(dir, 'tls'), join(dir, 'tok')].sort());
});

t.test('isRelevant: exact files, plugin trees minus node_modules, dot-folders and editor scratch files', async (t) => {
  const targets = { files: ['/cfg/conf.yaml', '/cfg/tls/cert.pem'], dirs: ['/cfg/plugins', '/opt/plugins'] };
  const yes = ['/cfg/conf.yaml', '/cfg', '/cfg/tls', '/cfg/tls/cert.pem', '/cfg/plugins', '/cfg/plugins/p/index.js', '/opt', '/opt/plugins/q/lib/x.js'];
  const no = [
    '/cfg/other.yaml',
    '/cfg/conf.yaml.swp',
    '/cfg/.conf.yaml.swp',
    '/cfg/data',
    '/cfg/plugins/p/node_modules/dep/index.js',
    '/cfg/plugins/.git/HEAD',
    '/cfg/plugins/p/index.js~',
    '/cfg/plugins/p/4913',
    '/cfg/plugins/p/.index.js.swp',
    '/elsewhere/file',
  ];
  for (const p of yes) t.ok(isRelevant(targets, p), `${p} is watched`);
  for (const p of no) t.notOk(isRelevant(targets, p), `${p} is ignored`);
});
