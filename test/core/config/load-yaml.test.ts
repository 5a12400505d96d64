// YAML handling: prototype keys refused (also through merge keys and aliases), merge keys and anchors,
// multi-document files, null values, alias bombs.
import t from 'tap';
import { BASE, loadText } from './helpers.js';

const polluted = (): unknown => (({}) as Record<string, unknown>).polluted;

t.test('__proto__, constructor and prototype keys are refused with their line', async (t) => {
  const yaml = `${BASE}__proto__:\n  polluted: 1\nlog:\n  constructor: { polluted: 1 }\n  prototype: 1\n`;
  const r = await loadText(t, yaml);
  t.same(r.lines, [
    'conf.yaml:32:1 error DGP_ERR_CONFIG_PROTO_KEY /__proto__: key "__proto__" is not allowed (prototype pollution) (remove or rename the key)',
    'conf.yaml:35:3 error DGP_ERR_CONFIG_PROTO_KEY /log/constructor: key "constructor" is not allowed (prototype pollution) (remove or rename the key)',
    'conf.yaml:36:3 error DGP_ERR_CONFIG_PROTO_KEY /log/prototype: key "prototype" is not allowed (prototype pollution) (remove or rename the key)',
  ]);
  t.equal(r.config, undefined);
  t.equal(polluted(), undefined);
});

t.test('a merge key cannot smuggle __proto__ in', async (t) => {
  const direct = await loadText(t, `${BASE}metric:\n  <<: {__proto__: {polluted: 1}}\n`);
  t.same(direct.lines, ['conf.yaml:33:8 error DGP_ERR_CONFIG_PROTO_KEY /metric/__proto__: key "__proto__" is not allowed (prototype pollution) (remove or rename the key)']);
  const viaAlias = await loadText(t, `${BASE}x-anchors: &evil\n  __proto__: { polluted: 1 }\nmetric:\n  <<: [*evil]\n`);
  t.match(viaAlias.lines.filter((l) => l.includes('PROTO_KEY')), [/^conf\.yaml:33:3 error DGP_ERR_CONFIG_PROTO_KEY \/x-anchors\/__proto__/, /^conf\.yaml:33:3 error DGP_ERR_CONFIG_PROTO_KEY \/metric\/__proto__/]);
  t.equal(polluted(), undefined);
  t.equal(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted'), false);
});

t.test('merge keys and anchors work; explicit keys win over merged ones', async (t) => {
  const yaml = BASE.replace(
    '          llm_meta:\n            provider: openai\n            api_key: k\n',
    `          llm_meta: &meta
            provider: openai
            api_key: k
            fallback: true
        - id: b
          socket_address: { address: 127.0.0.1, port: 9001 }
          llm_meta:
            <<: *meta
            api_key: other
`,
  );
  const r = await loadText(t, yaml);
  t.same(r.lines, []);
  const [a, b] = r.config!.static_resources.clusters[0]!.endpoints;
  t.same([a!.llm_meta!.api_key, b!.llm_meta!.api_key, b!.llm_meta!.fallback, b!.llm_meta!.provider], ['k', 'other', true, 'openai']);
});

t.test('the first non-empty document is used; later ones are named in a warning', async (t) => {
  const r = await loadText(t, `# license header\n---\n${BASE}---\nstatic_resources: {}\n`);
  t.same(r.errors, []);
  t.same(r.lines, ['conf.yaml:35:1 warning DGP_ERR_CONFIG_YAML: the file holds more than one YAML document; only the first is used (remove the other documents or split them into separate files)']);
  t.equal(r.config!.static_resources.listeners[0]!.name, 'main');
});

t.test('a key with no value counts as absent, so the default applies', async (t) => {
  const r = await loadText(t, BASE.replace('- name: dgp.filter.llm.proxy', '- name: dgp.filter.llm.proxy\n                  config:').replace('api_key: k', 'api_key:'));
  t.same(r.lines, []);
  t.same(r.config!.static_resources.listeners[0]!.filter_chains.filters[0]!.config.http_filters[1]!.config, {});
  t.equal(r.config!.static_resources.clusters[0]!.endpoints[0]!.llm_meta!.api_key, '');
});

t.test('an alias bomb is refused instead of expanded', async (t) => {
  const levels = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i < 9; i++) levels.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${String.fromCharCode(96 + i)}`).join(', ')}]`);
  const r = await loadText(t, `${BASE}bomb:\n${levels.map((l) => `  ${l}`).join('\n')}\n`);
  t.match(r.lines, [/^conf\.yaml:1:1 error DGP_ERR_CONFIG_YAML: aliases expand to more than 100000 nodes/]);
});
