// Writes deploy/grafana/dgp-gateway.json, the importable Grafana dashboard (run: npx tsx scripts/gen-grafana.ts).
// Rows are plain data below: a new metric family (the response cache, endpoint health) gets a row or a panel by
// adding an entry here; test/dashboard/grafana.test.ts checks that the committed JSON is this script's output, that
// every expression parses as PromQL, and that every metric it names is in a real gateway's scrape.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const DS = { type: 'prometheus', uid: '${DS_PROMETHEUS}' };
/** Every selector carries the instance variable; `extra` adds matchers. */
const m = (name: string, extra = ''): string => `${name}{${['instance=~"$instance"', extra].filter(Boolean).join(', ')}}`;
const rate = (name: string, extra = ''): string => `rate(${m(name, extra)}[$__rate_interval])`;
const q = (quantile: number, name: string, by = ''): string => `histogram_quantile(${quantile}, sum by (le${by ? `, ${by}` : ''}) (${rate(`${name}_bucket`)}))`;

interface Target { expr: string; legend?: string }
interface Panel { title: string; type?: 'timeseries' | 'stat' | 'bargauge' | 'text'; unit?: string; w?: number; description?: string; targets?: Target[]; content?: string }
interface Row { title: string; panels: Panel[] }

export const ROWS: Row[] = [
  {
    title: 'Traffic',
    panels: [
      { title: 'Requests/s', type: 'stat', unit: 'reqps', w: 6, targets: [{ expr: `sum(${rate('dgp_http_requests_total')})` }] },
      { title: '5xx ratio', type: 'stat', unit: 'percentunit', w: 6, description: 'Answers with a 5xx status over all answers.', targets: [{ expr: `sum(${rate('dgp_http_requests_total', 'status=~"5.."')}) / sum(${rate('dgp_http_requests_total')})` }] },
      { title: 'Cost in range', type: 'stat', unit: 'currencyUSD', w: 6, targets: [{ expr: `sum(increase(${m('dgp_llm_cost_usd_total')}[$__range]))` }] },
      { title: 'In flight', type: 'stat', unit: 'short', w: 6, targets: [{ expr: `sum(${m('dgp_admission_in_flight', 'scope="global"')})` }] },
      { title: 'Requests/s by route and status', unit: 'reqps', targets: [{ expr: `sum by (route, status) (${rate('dgp_http_requests_total')})`, legend: '{{route}} {{status}}' }] },
      {
        title: 'Admission: in flight and queued',
        unit: 'short',
        description: 'Requests running and waiting for a slot (docs/admission.md); scope global or per cluster.',
        targets: [
          { expr: `sum by (scope, cluster) (${m('dgp_admission_in_flight')})`, legend: 'in flight {{scope}} {{cluster}}' },
          { expr: `sum by (scope, cluster) (${m('dgp_admission_queue_length')})`, legend: 'queued {{scope}} {{cluster}}' },
        ],
      },
    ],
  },
  {
    title: 'Latency and time to first token',
    panels: [
      { title: 'HTTP latency', unit: 's', targets: [0.5, 0.95, 0.99].map((x) => ({ expr: q(x, 'dgp_http_request_duration_seconds'), legend: `p${x * 100}` })) },
      { title: 'Time to first token by model', unit: 's', description: 'Request arrival → first SSE data event (streams) or the upstream\'s first response byte (unary).', targets: [0.5, 0.95].map((x) => ({ expr: q(x, 'dgp_llm_time_to_first_token_seconds', 'model'), legend: `p${x * 100} {{model}}` })) },
      { title: 'Time per output token by model', unit: 's', targets: [0.5, 0.95].map((x) => ({ expr: q(x, 'dgp_llm_time_per_output_token_seconds', 'model'), legend: `p${x * 100} {{model}}` })) },
      { title: 'LLM request duration p95 by cluster', unit: 's', targets: [{ expr: q(0.95, 'dgp_llm_request_duration_seconds', 'cluster'), legend: '{{cluster}}' }] },
    ],
  },
  {
    title: 'Tokens and cost',
    panels: [
      { title: 'Tokens/s by model and direction', unit: 'short', targets: [{ expr: `sum by (model, direction) (${rate('dgp_llm_tokens_total')})`, legend: '{{model}} {{direction}}' }] },
      { title: 'Cost per hour by model', unit: 'currencyUSD', targets: [{ expr: `sum by (model) (${rate('dgp_llm_cost_usd_total')}) * 3600`, legend: '{{model}}' }] },
      { title: 'Cost by model in range', type: 'bargauge', unit: 'currencyUSD', targets: [{ expr: `sort_desc(sum by (model) (increase(${m('dgp_llm_cost_usd_total')}[$__range])))`, legend: '{{model}}' }] },
      { title: 'Unpriced requests/s by model', unit: 'reqps', description: 'Requests whose model has no price (charged 0); give it a price (docs/pricing.md).', targets: [{ expr: `sum by (model) (${rate('dgp_llm_cost_unknown_total')})`, legend: '{{model}}' }] },
    ],
  },
  {
    title: 'Upstreams',
    panels: [
      { title: 'Upstream attempts/s by endpoint and outcome', unit: 'reqps', targets: [{ expr: `sum by (cluster, endpoint, outcome) (${rate('dgp_upstream_attempts_total')})`, legend: '{{cluster}}/{{endpoint}} {{outcome}}' }] },
      { title: 'Upstream failure ratio by endpoint', unit: 'percentunit', targets: [{ expr: `sum by (cluster, endpoint) (${rate('dgp_upstream_attempts_total', 'outcome!="success"')}) / sum by (cluster, endpoint) (${rate('dgp_upstream_attempts_total')})`, legend: '{{cluster}}/{{endpoint}}' }] },
      { title: 'Retries/s by cluster', unit: 'reqps', targets: [{ expr: `sum by (cluster) (${rate('dgp_upstream_retries_total')})`, legend: '{{cluster}}' }] },
      { title: 'Healthy endpoints by cluster', unit: 'short', description: 'Endpoints that may be picked: healthy (active checks, registry) and not cooling down.', targets: [{ expr: `sum by (cluster) (${m('dgp_cluster_endpoint_healthy')})`, legend: '{{cluster}}' }] },
    ],
  },
  {
    title: 'Cache',
    panels: [
      { title: 'Cache outcomes/s', unit: 'reqps', description: 'hit, hit_semantic, coalesced, miss, bypass (no-store), refresh (no-cache), skip (not cacheable).', targets: [{ expr: `sum by (outcome) (${rate('dgp_cache_requests_total')})`, legend: '{{outcome}}' }] },
      { title: 'Cache hit ratio', unit: 'percentunit', targets: [{ expr: `sum(${rate('dgp_cache_requests_total', 'outcome=~"hit|hit_semantic|coalesced"')}) / sum(${rate('dgp_cache_requests_total', 'outcome=~"hit|hit_semantic|coalesced|miss"')})`, legend: 'hit ratio' }] },
      { title: 'Cost saved per hour', unit: 'currencyUSD', targets: [{ expr: `sum(${rate('dgp_cache_saved_usd_total')}) * 3600`, legend: 'saved' }] },
    ],
  },
  {
    title: 'Limits and budgets',
    panels: [
      { title: 'Rate-limit decisions/s', unit: 'reqps', targets: [{ expr: `sum by (outcome) (${rate('dgp_ratelimit_requests_total')})`, legend: '{{outcome}}' }] },
      { title: 'Rate-limit rejections/s by rule', unit: 'reqps', targets: [{ expr: `sum by (rule, dimension) (${rate('dgp_ratelimit_limited_total')})`, legend: '{{rule}} {{dimension}}' }] },
      { title: 'Budget denials/s', unit: 'reqps', description: 'Requests a budget could not admit: rejected (429) or served by on_exhaust.fallback_model.', targets: [{ expr: `sum by (scope, outcome) (${rate('dgp_llm_budget_denials_total')})`, legend: '{{scope}} {{outcome}}' }] },
      { title: 'Soft budget alerts in range', type: 'stat', unit: 'short', w: 6, targets: [{ expr: `sum(increase(${m('dgp_llm_budget_soft_alerts_total')}[$__range]))` }] },
      { title: 'Concurrency slots held', type: 'stat', unit: 'short', w: 6, targets: [{ expr: `sum(${m('dgp_ratelimit_concurrency_slots')})` }] },
    ],
  },
  {
    title: 'Guardrails',
    panels: [
      { title: 'Guardrail decisions/s by rule and action', unit: 'reqps', targets: [{ expr: `sum by (rule, stage, action) (${rate('dgp_guardrail_decisions_total')})`, legend: '{{rule}} {{stage}} {{action}}' }] },
      { title: 'Guardrail findings/s by entity', unit: 'short', targets: [{ expr: `sum by (rule, entity) (${rate('dgp_guardrail_findings_total')})`, legend: '{{rule}} {{entity}}' }] },
    ],
  },
  {
    title: 'Gateway',
    panels: [
      { title: 'Config reloads by result', unit: 'short', targets: [{ expr: `sum by (result) (increase(${m('dgp_config_reloads_total')}[$__rate_interval]))`, legend: '{{result}}' }] },
      { title: 'Resident memory', unit: 'bytes', targets: [{ expr: m('process_resident_memory_bytes'), legend: '{{instance}}' }] },
      { title: 'Event loop lag p99', unit: 's', targets: [{ expr: m('nodejs_eventloop_lag_p99_seconds'), legend: '{{instance}}' }] },
      { title: 'Spend ledger rows dropped in range', type: 'stat', unit: 'short', w: 6, targets: [{ expr: `sum(increase(${m('dgp_llm_spend_ledger_dropped_total')}[$__range]))` }] },
    ],
  },
];

function panelJson(p: Panel, id: number, x: number, y: number): Record<string, unknown> {
  const type = p.type ?? 'timeseries';
  const w = p.w ?? 12;
  const h = type === 'stat' ? 4 : type === 'text' ? 3 : 8;
  const base = { id, type, title: p.title, ...(p.description ? { description: p.description } : {}), gridPos: { h, w, x, y } };
  if (type === 'text') return { ...base, options: { mode: 'markdown', content: p.content ?? '' } };
  const options =
    type === 'timeseries'
      ? { legend: { displayMode: 'list', placement: 'bottom', showLegend: true }, tooltip: { mode: 'multi', sort: 'desc' } }
      : type === 'stat'
        ? { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false }, colorMode: 'value', graphMode: 'area', textMode: 'auto' }
        : { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false }, orientation: 'horizontal', displayMode: 'gradient' };
  return {
    ...base,
    datasource: DS,
    fieldConfig: { defaults: { unit: p.unit ?? 'short', ...(type === 'timeseries' ? { custom: { fillOpacity: 10, lineWidth: 1 } } : {}) }, overrides: [] },
    options,
    targets: (p.targets ?? []).map((t, i) => ({ refId: String.fromCharCode(65 + i), datasource: DS, expr: t.expr, ...(t.legend ? { legendFormat: t.legend } : {}), ...(type === 'stat' || type === 'bargauge' ? { instant: type === 'bargauge' } : {}) })),
  };
}

export function dashboard(): Record<string, unknown> {
  const panels: Array<Record<string, unknown>> = [];
  let id = 1;
  let y = 0;
  for (const row of ROWS) {
    panels.push({ id: id++, type: 'row', title: row.title, collapsed: false, gridPos: { h: 1, w: 24, x: 0, y }, panels: [] });
    y += 1;
    let x = 0;
    let rowH = 0;
    for (const p of row.panels) {
      const json = panelJson(p, id++, x, y);
      const { w, h } = json.gridPos as { w: number; h: number };
      if (x + w > 24) {
        x = 0;
        y += rowH;
        rowH = 0;
        (json.gridPos as { x: number; y: number }).x = 0;
        (json.gridPos as { x: number; y: number }).y = y;
      }
      x += w;
      rowH = Math.max(rowH, h);
      panels.push(json);
    }
    y += rowH;
  }
  return {
    __inputs: [{ name: 'DS_PROMETHEUS', label: 'Prometheus', description: 'The Prometheus that scrapes the gateway\'s admin /metrics', type: 'datasource', pluginId: 'prometheus', pluginName: 'Prometheus' }],
    __requires: [
      { type: 'grafana', id: 'grafana', name: 'Grafana', version: '10.0.0' },
      { type: 'datasource', id: 'prometheus', name: 'Prometheus', version: '1.0.0' },
      { type: 'panel', id: 'timeseries', name: 'Time series', version: '' },
      { type: 'panel', id: 'stat', name: 'Stat', version: '' },
      { type: 'panel', id: 'bargauge', name: 'Bar gauge', version: '' },
      { type: 'panel', id: 'text', name: 'Text', version: '' },
    ],
    uid: 'dgp-gateway',
    title: 'dgp-gateway',
    description: 'Traffic, latency and TTFT, tokens and cost, upstreams, cache, limits and budgets, guardrails of dgp-gateway (docs/dashboard.md).',
    tags: ['dgp-gateway', 'llm', 'gateway'],
    editable: true,
    graphTooltip: 1,
    schemaVersion: 39,
    version: 1,
    refresh: '30s',
    time: { from: 'now-1h', to: 'now' },
    timezone: '',
    annotations: { list: [{ builtIn: 1, datasource: { type: 'grafana', uid: '-- Grafana --' }, enable: true, hide: true, iconColor: 'rgba(0, 211, 255, 1)', name: 'Annotations & Alerts', type: 'dashboard' }] },
    templating: {
      list: [
        {
          name: 'instance',
          label: 'Instance',
          type: 'query',
          datasource: DS,
          definition: 'label_values(dgp_http_requests_total, instance)',
          query: { query: 'label_values(dgp_http_requests_total, instance)', refId: 'instance' },
          includeAll: true,
          multi: true,
          allValue: '.*',
          current: {},
          refresh: 2,
          sort: 1,
        },
      ],
    },
    panels,
  };
}

export const DASHBOARD_FILE = fileURLToPath(new URL('../deploy/grafana/dgp-gateway.json', import.meta.url));
export const dashboardText = (): string => `${JSON.stringify(dashboard(), null, 2)}\n`;

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) writeFileSync(DASHBOARD_FILE, dashboardText());
