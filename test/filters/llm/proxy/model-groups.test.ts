// Model-group resolution (exact name, then alias, then the first pattern in list order) and the routing trace's
// header-safe encoding.
import t from 'tap';
import { ModelGroups } from '../../../../filters/llm/proxy/model-groups.js';
import { RouteTrace } from '../../../../filters/llm/proxy/route-trace.js';

t.test('names beat aliases beat patterns; an alias never shadows another group name', async (t) => {
  const g = new ModelGroups([
    { model_name: 'gpt-*', deployments: [{}] },
    { model_name: '*', deployments: [{}] },
    { model_name: 'gpt-4o', aliases: ['smart', 'fast'], deployments: [{}] },
    { model_name: 'fast', deployments: [{}] },
  ]);
  const of = (m: string | undefined) => {
    const r = g.resolve(m);
    return r && `${r.group.name}/${r.via}`;
  };
  t.equal(of('gpt-4o'), 'gpt-4o/name', 'an exact name beats an earlier pattern');
  t.equal(of('smart'), 'gpt-4o/alias');
  t.equal(of('fast'), 'fast/name', "another group's name wins over an alias");
  t.equal(of('gpt-4o-mini'), 'gpt-*/pattern', 'patterns in list order');
  t.equal(of('llama'), '*/pattern');
  t.equal(of(undefined), undefined, 'no model: no group');
  t.same(g.listedNames().map((n) => n.id), ['gpt-4o', 'smart', 'fast'], 'patterns are not listed; each name once');
  t.equal(new ModelGroups([{ model_name: 'a.b*', deployments: [{}] }]).resolve('axb'), undefined, 'only * is special');
});

t.test('the trace keeps names header-safe', async (t) => {
  const trace = new RouteTrace('r;1');
  trace.model('modèle (x)', 'grp,(1)', 'alias');
  trace.note('c', 'e=1', 'cooling');
  trace.how('weighted');
  trace.note('c', 'ok', 'picked');
  const text = trace.toString();
  t.equal(text, 'route=r%3B1;model=mod%C3%A8le%20%28x%29;group=grp%2C%281%29(alias);candidates=c/e%3D1(cooling),c/ok(picked);pick=fallback:weighted');
  t.match(text, /^[\x21-\x7e]+$/, 'visible ASCII only');
});

t.test('a lone surrogate in a model name (valid JSON) is encoded, never thrown', async (t) => {
  const trace = new RouteTrace('r');
  trace.model('a\ud800b😀', undefined);
  t.equal(trace.toString(), 'route=r;model=a%EF%BF%BDb%F0%9F%98%80;candidates=');
});
