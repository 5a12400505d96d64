// What `dgp validate` (and every reload) reports about a chain beyond each plugin's own config: filters listed after a
// terminal one, and per-route filter overrides naming an absent filter or breaking the merged config — each with the
// file:line of the offending entry and the fix.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { deepMerge } from '../../../core/config/deep-merge.js';
import { preflight } from '../../../core/multicore/preflight.js';
import { TAG_PLUGIN } from './helpers.js';

const conf = (filters: string, routeExtra = '') => `static_resources:
  listeners:
    - name: main
      address: {socket_address: {address: 127.0.0.1, port: 0}}
      filter_chains:
        filters:
          - name: dgp.filter.httpconnectionmanager
            config:
              route_config:
                routes:
                  - match: {prefix: /}
                    route:
                      cluster: c${routeExtra}
              http_filters:
${filters}
  clusters:
    - name: c
      endpoints: [{id: e1, socket_address: {address: 127.0.0.1, port: 9}}]
`;

async function validate(yaml: string, strict = false) {
  const dir = await mkdtemp(join(tmpdir(), 'dgp-resolve-'));
  await writeFile(join(dir, 'conf.yaml'), yaml);
  const r = await preflight({ configDir: dir }, [TAG_PLUGIN], strict, {});
  return r.errors.map((p) => ({ code: p.code, line: p.line, pointer: p.pointer, message: p.message, hint: p.hint }));
}

const PROXY = '                - name: dgp.filter.llm.proxy';
const TAG = (cfg = '{tag: a}') => `                - name: reload.tag\n                  config: ${cfg}`;

t.test('filters after a terminal filter are rejected at their own line, with the fix', async (t) => {
  const errors = await validate(conf([PROXY, TAG(), TAG('{tag: b}')].join('\n')));
  t.same(errors.map((e) => [e.code, e.line]), [['DGP_ERR_CONFIG_FILTER_ORDER', 16], ['DGP_ERR_CONFIG_FILTER_ORDER', 18]]);
  t.match(errors[0]!.message, /filter "reload\.tag" is listed after the terminal filter "dgp\.filter\.llm\.proxy" \(line 15\)/);
  t.equal(errors[0]!.hint, 'move reload.tag before dgp.filter.llm.proxy');
  t.same(await validate(conf([TAG(), PROXY].join('\n'))), [], 'the proxy last is fine');
});

t.test("Pixiu's own layout, the tokenizer after the proxy, stays a compat warning (an error only under --strict)", async (t) => {
  const yaml = conf([PROXY, '                - name: dgp.filter.llm.tokenizer'].join('\n'));
  t.same(await validate(yaml), []);
  t.same((await validate(yaml, true)).map((e) => [e.code, e.line]), [['DGP_ERR_CONFIG_PIXIU_COMPAT', 16]]);
});

t.test('a route override naming a filter the chain lacks: did you mean, at the override', async (t) => {
  const errors = await validate(conf(TAG(), '\n                      filters:\n                        reload.tgs: {tag: x}'));
  t.equal(errors.length, 1);
  t.match(errors[0], {
    code: 'DGP_ERR_CONFIG_ROUTE_FILTER',
    line: 15,
    pointer: '/static_resources/listeners/0/filter_chains/filters/0/config/route_config/routes/0/route/filters/reload.tgs',
    hint: 'did you mean "reload.tag"?',
  });
});

t.test('every problem at once: a broken filter config and an override naming an absent kind', async (t) => {
  const errors = await validate(conf(TAG('{tag: 7}'), '\n                      filters:\n                        dgp.filter.llm.proxy: {timeout: 5s}'));
  t.same(errors.map((e) => e.code).sort(), ['DGP_ERR_CONFIG_ROUTE_FILTER', 'DGP_ERR_PLUGIN_CONFIG']);
});

t.test('an override is validated merged with the listener config, errors pointing into the override', async (t) => {
  const errors = await validate(conf(TAG('{tag: a, mode: stream}'), '\n                      filters:\n                        reload.tag:\n                          chunks: 0\n                          colour: red'));
  t.same(errors.map((e) => [e.code, e.line]), [['DGP_ERR_PLUGIN_CONFIG', 16], ['DGP_ERR_PLUGIN_CONFIG', 17]]);
  t.match(errors[0]!.message, /reload\.tag \(merged with this route's override\)/);
  t.match(errors[1]!.pointer, /\/route\/filters\/reload\.tag\/colour$/);
  t.same(await validate(conf(TAG('{tag: a}'), '\n                      filters: {reload.tag: {chunks: 2}}')), [], 'a valid override passes');
});

t.test('the merge rule: objects key-wise and recursively; arrays, scalars and null replace', async (t) => {
  const base = { a: 1, nested: { x: 1, y: [1, 2], deep: { keep: true, v: 1 } }, list: [1, 2, 3], gone: 'x' };
  const merged = deepMerge(base, { nested: { y: [9], deep: { v: 2 } }, list: [4], gone: null, added: { z: 1 } });
  t.same(merged, { a: 1, nested: { x: 1, y: [9], deep: { keep: true, v: 2 } }, list: [4], gone: null, added: { z: 1 } });
  t.same(base, { a: 1, nested: { x: 1, y: [1, 2], deep: { keep: true, v: 1 } }, list: [1, 2, 3], gone: 'x' }, 'the base is untouched');
  t.same(deepMerge({ a: 1 }, 'scalar'), 'scalar');
  t.same(deepMerge({ a: 1 }, undefined), { a: 1 });
});
