// The Grafana dashboard and the Prometheus alert rules: the committed JSON is scripts/gen-grafana.ts's output and is
// importable (datasource input, stable uid, units); every panel and alert expression parses as PromQL; every metric
// they read is in a real gateway's scrape after scripted traffic (no "No data" panel); promtool checks and unit-tests
// the rules; and promtool check metrics flags nothing on that scrape beyond the names kept on purpose.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parser } from '@prometheus-io/lezer-promql';
import t from 'tap';
import { parse as parseYaml } from 'yaml';
import { DASHBOARD_FILE, dashboardText } from '../../scripts/gen-grafana.js';
import { ADMIN_TOKEN, scrape, scriptedTraffic, startDashGateway } from './helpers.js';

const RULES_DIR = fileURLToPath(new URL('../../deploy/prometheus/', import.meta.url));
const RULES = `${RULES_DIR}dgp-gateway-alerts.yml`;
const PROMTOOL = '/usr/bin/promtool';

interface Panel { type: string; title: string; id: number; gridPos: { x: number; y: number; w: number; h: number }; datasource?: { uid: string }; fieldConfig?: { defaults: { unit?: string } }; targets?: Array<{ expr: string; datasource: { uid: string } }> }

const board = JSON.parse(readFileSync(DASHBOARD_FILE, 'utf8')) as { __inputs: Array<{ name: string; pluginId: string; type: string }>; uid: string; panels: Panel[]; templating: { list: Array<{ name: string }> } };
const panels = board.panels.filter((p) => p.type !== 'row' && p.type !== 'text');
const rules = (parseYaml(readFileSync(RULES, 'utf8')) as { groups: Array<{ rules: Array<{ alert: string; expr: string }> }> }).groups.flatMap((g) => g.rules);

/** Grafana's variables replaced by what they stand for at query time. */
const concrete = (expr: string): string => expr.replaceAll('$__rate_interval', '5m').replaceAll('$__range', '1h').replaceAll('$instance', '.*');

/** The parse errors of a PromQL expression (positions), and the metric names its selectors read. */
function promql(expr: string): { errors: number[]; metrics: string[] } {
  const errors: number[] = [];
  const metrics: string[] = [];
  parser.parse(expr).iterate({
    enter: (n) => {
      if (n.type.isError) errors.push(n.from);
      if (n.name === 'Identifier' && n.node.parent?.name === 'VectorSelector') metrics.push(expr.slice(n.from, n.to));
    },
  });
  return { errors, metrics };
}

const expressions = [
  ...panels.flatMap((p) => (p.targets ?? []).map((x) => ({ where: `panel "${p.title}"`, expr: concrete(x.expr) }))),
  ...rules.map((r) => ({ where: `alert ${r.alert}`, expr: r.expr })),
];

t.test('the committed dashboard is the generator\'s output, importable', async (t) => {
  t.equal(readFileSync(DASHBOARD_FILE, 'utf8'), dashboardText(), 'deploy/grafana/dgp-gateway.json is up to date (npx tsx scripts/gen-grafana.ts)');
  t.match(board.__inputs, [{ name: 'DS_PROMETHEUS', type: 'datasource', pluginId: 'prometheus' }]);
  t.equal(board.uid, 'dgp-gateway', 'a stable uid: a re-import replaces the board');
  t.same(board.panels.filter((p) => p.type === 'row').map((p) => p.title), ['Traffic', 'Latency and time to first token', 'Tokens and cost', 'Upstreams', 'Cache', 'Limits and budgets', 'Guardrails', 'Gateway']);
  t.same(board.templating.list.map((v) => v.name), ['instance']);
  t.equal(new Set(board.panels.map((p) => p.id)).size, board.panels.length, 'panel ids are unique');
  for (const p of panels) {
    t.equal(p.datasource?.uid, '${DS_PROMETHEUS}', `${p.title}: the datasource input`);
    t.ok(p.fieldConfig?.defaults.unit, `${p.title}: has a unit`);
    t.ok(p.targets?.length && p.targets.every((x) => x.datasource.uid === '${DS_PROMETHEUS}' && x.expr.includes('instance=~"$instance"')), `${p.title}: targets on the input, filtered by $instance`);
    t.ok(p.gridPos.x + p.gridPos.w <= 24, `${p.title}: fits the grid`);
  }
});

t.test('every panel and alert expression parses as PromQL', async (t) => {
  t.ok(promql('sum(rate(x[5m])').errors.length > 0, 'the parser reports a broken expression');
  t.ok(expressions.length > 30, `${expressions.length} expressions`);
  for (const { where, expr } of expressions) t.same(promql(expr).errors, [], `${where}: ${expr}`);
});

t.test('every metric the board and the rules read is in a real scrape after scripted traffic', async (t) => {
  const d = await startDashGateway();
  t.teardown(() => d.close());
  await scriptedTraffic(d.g);
  const reload = await fetch(`${d.g.adminUrl}/reload`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  t.equal(reload.status, 200);
  const text = await scrape(d.g);
  const scraped = new Set(text.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(/[{ ]/)[0]!));
  const used = new Set(expressions.flatMap((e) => promql(e.expr).metrics));
  t.ok(used.size > 20, `${used.size} metric names read`);
  for (const name of used) t.ok(scraped.has(name), `${name} is in the scrape`);

  if (!existsSync(PROMTOOL)) return void t.fail(`${PROMTOOL} not found: install Debian prometheus (bash scripts/test-deps.sh does it as root)`);
  // promtool check metrics lints the whole scrape (streams, errors, keys and budgets among the traffic): no line.
  const lint = spawnSync(PROMTOOL, ['check', 'metrics'], { input: text, encoding: 'utf8' });
  t.equal(`${lint.stdout}${lint.stderr}`, '', 'promtool check metrics reports nothing');
  t.equal(lint.status, 0, 'promtool check metrics exits 0');
});

t.test('promtool checks and unit-tests the alert rules', async (t) => {
  if (!existsSync(PROMTOOL)) return void t.fail(`${PROMTOOL} not found: install Debian prometheus (bash scripts/test-deps.sh does it as root)`);
  const check = spawnSync(PROMTOOL, ['check', 'rules', 'dgp-gateway-alerts.yml'], { cwd: RULES_DIR, encoding: 'utf8' });
  t.equal(check.status, 0, check.stdout + check.stderr);
  t.match(check.stdout, /SUCCESS: 7 rules found/);
  const unit = spawnSync(PROMTOOL, ['test', 'rules', 'dgp-gateway-alerts.test.yml'], { cwd: RULES_DIR, encoding: 'utf8' });
  t.equal(unit.status, 0, unit.stdout + unit.stderr);
  t.match(unit.stdout, /SUCCESS/);
});
