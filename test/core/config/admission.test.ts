// The admission settings in conf.yaml: the top-level block, clusters[].admission and route.priority normalised
// (durations in ms, the header name lower-case), and every mistake reported at once with file:line.
import t from 'tap';
import { BASE, loadText } from './helpers.js';

const WITH = `admission:
  max_concurrency: 200
  queue: {max_length: 50, max_wait: 1.5s}
  shed_heap_fraction: 0.85
  priority: {default: 1, allow_header: true, header: X-Tier, header_max: 5}
${BASE.replace('      lb_policy: RoundRobin', '      lb_policy: RoundRobin\n      admission: {max_concurrency: 20, queue: {max_wait: 500ms}}').replace('                      cluster: chat', '                      cluster: chat\n                      priority: -2')}`;

t.test('the admission block, a cluster cap and a route priority are normalised', async (t) => {
  const r = await loadText(t, WITH);
  t.same(r.lines, []);
  const c = r.config!;
  t.same(c.admission, {
    max_concurrency: 200,
    queue: { max_length: 50, max_wait: 1500 },
    shed_heap_fraction: 0.85,
    priority: { default: 1, allow_header: true, header: 'x-tier', header_max: 5 },
  });
  t.same(c.static_resources.clusters[0]!.admission, { max_concurrency: 20, queue: { max_length: 1024, max_wait: 500 } });
  const route = c.static_resources.listeners[0]!.filter_chains.filters[0]!.config.route_config.routes[0]!;
  t.equal(route.route.priority, -2);
});

t.test('without any admission settings: no cap, no shedding, and routes have no priority', async (t) => {
  const r = await loadText(t, BASE);
  t.same(r.config!.admission.max_concurrency, 0);
  t.same(r.config!.admission.shed_heap_fraction, 0);
  t.same(r.config!.static_resources.clusters[0]!.admission, { max_concurrency: 0, queue: { max_length: 1024, max_wait: 5000 } });
  t.notOk('priority' in r.config!.static_resources.listeners[0]!.filter_chains.filters[0]!.config.route_config.routes[0]!.route);
});

t.test('mistakes are reported together, each with its line', async (t) => {
  const bad = `admission:
  max_concurrency: -1
  queue: {max_lenght: 5, max_wait: soon}
  shed_heap_fraction: 1.5
  priority: {allow_header: yes}
${BASE.replace('      lb_policy: RoundRobin', '      lb_policy: RoundRobin\n      admission: {shed_heap_fraction: 0.5}')}`;
  const r = await loadText(t, bad);
  t.notOk(r.config);
  const text = r.lines.join('\n');
  t.match(text, /conf\.yaml:2:\d+ error DGP_ERR_CONFIG_SCHEMA \/admission\/max_concurrency: /);
  t.match(text, /conf\.yaml:3:\d+ error DGP_ERR_CONFIG_SCHEMA \/admission\/queue\/max_lenght: unknown field "max_lenght" \(did you mean "max_length"\?\)/);
  t.match(text, /conf\.yaml:3:\d+ error DGP_ERR_CONFIG_DURATION \/admission\/queue\/max_wait/);
  t.match(text, /conf\.yaml:4:\d+ error DGP_ERR_CONFIG_SCHEMA \/admission\/shed_heap_fraction: /);
  t.match(text, /conf\.yaml:5:\d+ error DGP_ERR_CONFIG_SCHEMA \/admission\/priority\/allow_header: /);
  t.match(text, /error DGP_ERR_CONFIG_SCHEMA \/static_resources\/clusters\/0\/admission\/shed_heap_fraction: unknown field/);
});
