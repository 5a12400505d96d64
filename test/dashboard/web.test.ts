// The web dashboard in a real headless Chromium (Debian `chromium`, driven by playwright-core): served by the admin
// listener, it asks for the admin token, then shows the numbers the gateway's /metrics and /config report after
// scripted traffic, follows more traffic and a reload, and logs no console error. The screenshot is kept in
// .tap/dashboard/ as a test artefact.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { chromium, type Page } from 'playwright-core';
import t from 'tap';
import { ADMIN_TOKEN, scrape, scriptedTraffic, send, startDashGateway } from './helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTEFACTS = '.tap/dashboard';

/** Sum of every sample of `name` (optionally whose label text matches `labels`) in a scrape. */
function total(text: string, name: string, labels?: RegExp): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (labels && !labels.test(line)) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

const fmt = (n: number): string => n.toLocaleString('en-US', { maximumFractionDigits: 0 });
const text = (page: Page, id: string): Promise<string> => page.getByTestId(id).innerText();
/** Waits until the element with this test id shows exactly `shown` (the page refreshes on its own). */
const shows = (page: Page, id: string, shown: string | RegExp): Promise<void> =>
  page.getByTestId(id).filter({ hasText: typeof shown === 'string' ? new RegExp(`^${shown}$`) : shown }).waitFor();

t.test('the dashboard shows what the gateway reports, and updates', async (t) => {
  if (!existsSync(CHROMIUM)) {
    t.fail(`${CHROMIUM} not found: install Debian chromium (bash scripts/test-deps.sh does it as root)`);
    return;
  }
  const d = await startDashGateway();
  t.teardown(() => d.close());
  const statuses = await scriptedTraffic(d.g);
  t.same(statuses, [200, 200, 200, 200, 500, 400, 200, 429, 429, 200], 'scripted traffic: 3 ok, a stream, an upstream 500, a guardrail block, a rate limit, a budget denial, an unpriced model');

  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  t.teardown(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1400, height: 1100 } });
  const problems: string[] = [];
  page.on('console', (m) => void (m.type() === 'error' && problems.push(`console: ${m.text()}`)));
  page.on('pageerror', (e) => void problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => void problems.push(`request failed: ${r.url()}`));

  const nav = await page.goto(`${d.g.adminUrl}/dashboard?interval=400`);
  t.equal(nav?.status(), 200, 'the page is served without the token (it holds no data)');
  t.match(nav?.headers()['content-security-policy'], /default-src 'none'/);
  await page.locator('#login').waitFor({ state: 'visible' });
  t.equal(await text(page, 'requests-total'), '–', 'no data before the token is given');
  t.equal((await fetch(`${d.g.adminUrl}/metrics`)).status, 401, 'the data the page reads needs the token');
  t.equal((await fetch(`${d.g.adminUrl}/dashboard`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).status, 405);
  const listing = (await (await fetch(`${d.g.adminUrl}/`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).json()) as { endpoints: Array<{ path: string }> };
  t.ok(listing.endpoints.some((e) => e.path === '/dashboard'), 'GET / lists the dashboard');

  await page.fill('#token', ADMIN_TOKEN);
  await page.click('#login button[type=submit]');
  let scraped = await scrape(d.g);
  const requests = total(scraped, 'dgp_http_requests_total');
  t.equal(requests, 10);
  await shows(page, 'requests-total', fmt(requests));
  await page.locator('body[data-polls]:not([data-polls="1"])').waitFor({ state: 'attached' }); // a second refresh: rates and budgets

  t.equal(await text(page, 'errors-5xx'), fmt(total(scraped, 'dgp_http_requests_total', /status="5/)), '5xx as in /metrics');
  t.equal(await text(page, 'errors-4xx'), fmt(total(scraped, 'dgp_http_requests_total', /status="4/)), '4xx as in /metrics');
  t.match(await text(page, 'latency-p50'), /^\d+ ms$/, 'a latency quantile is shown');
  t.match(await text(page, 'ttft-p99'), /^\d+ ms$/, 'a TTFT quantile is shown');
  const model = await page.locator('#models-body tr').first().locator('td').allInnerTexts();
  t.same(model.slice(0, 3), ['gpt-4o-mini', fmt(total(scraped, 'dgp_llm_tokens_total', /direction="prompt",model="gpt-4o-mini"/)), fmt(total(scraped, 'dgp_llm_tokens_total', /direction="completion",model="gpt-4o-mini"/))], 'tokens by model as in /metrics');
  t.equal(Number(model[3]).toPrecision(3), total(scraped, 'dgp_llm_cost_usd_total', /model="gpt-4o-mini"/).toPrecision(3), 'cost by model as in /metrics');
  t.match(await page.locator('#models-body').innerText(), /other\s+12\s+30\s+–/, 'the unpriced model (tokens labelled other by the series cap on unpriced names), no cost');
  t.equal(await text(page, 'ratelimit-limited'), fmt(total(scraped, 'dgp_ratelimit_requests_total', /outcome="limited"/)));
  t.equal(await text(page, 'ratelimit-limited'), '1');
  t.same(await page.locator('#ratelimits-body td').allInnerTexts(), ['key-limits', 'requests', '1'], 'the rule that limited');
  t.match(await page.locator('#guardrails-body').innerText(), /secret-project\s+input\s+block\s+1/, 'the guardrail block');
  t.match(await page.locator('#guardrails-body').innerText(), /pii\s+input\s+redact\s+3/, 'the PII redactions');
  t.equal(await text(page, 'soft-alerts'), fmt(total(scraped, 'dgp_llm_budget_soft_alerts_total')));
  t.equal(await text(page, 'soft-alerts'), '1', 'the soft budget alert');
  t.equal(await text(page, 'budget-denials'), fmt(total(scraped, 'dgp_llm_budget_denials_total')));
  t.equal(await text(page, 'budget-denials'), '1', 'the budget denial');
  t.same(await page.locator('#endpoints-body td').allInnerTexts(), ['llm', 'ep-0', 'openai', 'healthy', '6 / 2'], 'the endpoint, its health and attempts (the 500 was retried)');
  const budgets = await (await fetch(`${d.g.adminUrl}/admin/v1/budgets?key=team-bot`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).json();
  const budget = (budgets as { budgets: Array<{ spent_usd: number }> }).budgets[0]!;
  await page.locator('#budgets-body tr', { hasText: 'team-bot' }).waitFor();
  const row = await page.locator('#budgets-body tr', { hasText: 'team-bot' }).locator('td').allInnerTexts();
  t.same(row.slice(0, 2), ['team-bot', 'key:team-bot'], 'the key with its budget');
  t.match(row[2], `${budget.spent_usd.toPrecision(3)} / 5.00`, 'spend against the budget, as GET /admin/v1/budgets reports');
  t.match(await page.locator('#budgets-body').innerText(), /slow-bot\s+–\s+no budget/, 'a key without a budget');
  const hits = total(scraped, 'dgp_cache_requests_total', /outcome="(hit|hit_semantic|coalesced)"/);
  const misses = total(scraped, 'dgp_cache_requests_total', /outcome="miss"/);
  t.ok(misses > 0, `the response cache saw the requests (${misses} misses)`);
  t.equal(await text(page, 'cache-hit-ratio'), `${((100 * hits) / (hits + misses)).toLocaleString('en-US', { maximumFractionDigits: 1 })} %`, 'the hit ratio as in /metrics');
  t.equal(await page.getByTestId('last-reload').innerText(), 'no reload since the start');

  // More traffic and a reload: the page follows.
  for (let i = 0; i < 4; i++) await send(d.g, `more ${i}`);
  const reload = await fetch(`${d.g.adminUrl}/reload`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  t.equal(reload.status, 200);
  scraped = await scrape(d.g);
  t.equal(total(scraped, 'dgp_http_requests_total'), 14);
  await shows(page, 'requests-total', '14');
  await shows(page, 'last-reload', /last reload .*: ok, generation 2/);
  t.same(await page.locator('#reloads-body td').allInnerTexts(), ['success', '1'], 'reloads by result as in dgp_config_reloads_total');
  t.match(await text(page, 'requests-rate'), /^\d/, 'a request rate is shown');

  // A wrong token: the page says so and shows no data (this tab's 401 is expected, so its console is not watched).
  const other = await browser.newPage();
  await other.goto(`${d.g.adminUrl}/dashboard`);
  await other.fill('#token', 'not-the-token');
  await other.click('#login button[type=submit]');
  await other.locator('#login-error', { hasText: 'that token was refused' }).waitFor();
  t.equal(await other.getByTestId('requests-total').innerText(), '–', 'no data with a wrong token');
  await other.close();

  await mkdir(ARTEFACTS, { recursive: true });
  await page.screenshot({ path: `${ARTEFACTS}/dashboard.png`, fullPage: true });
  t.same(problems, [], 'no console errors, page errors or failed requests');
});
