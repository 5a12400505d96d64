// Shared by the cost and budget tests: a keys → [middle] → proxy gateway on a strict mock upstream with a SQLite key
// store (the ledger) and the admin key API, the worst case the gateway holds for a body, and bounded polling.
import { createPriceBook, type LlmUsage } from '../../../../../core/llm/index.js';
import { estimateCost } from '../../../../../filters/llm/keys/budget/estimate.js';
import { startGateway, type TestGateway } from '../../../../helpers/gateway.js';
import type { Provider } from '../../../../e2e/providers/helpers.js';
import { keysGatewayYaml } from '../helpers.js';

export const MASTER = 'sk-master-0123456789abcdef';
export const book = createPriceBook();

/** A usage in the exchange's normalised form. */
export const usage = (input: number, output: number, cacheRead = 0, cacheWrite = 0): LlmUsage => ({
  input, output, cache_read: cacheRead, cache_write: cacheWrite, reasoning: 0, total: input + output,
});

/** What the book charges for `u`, as the gateway prices the upstream's answer. */
export function priceOf(provider: string, model: string, u: LlmUsage): number {
  const p = book.price(provider, model, u);
  if (!p.known) throw new Error(`the book has no price for ${provider}/${model}`);
  return p.nanos;
}

/** The worst case the gateway holds for a JSON body it receives as `JSON.stringify(body)`. */
export function holdOf(body: object, provider = 'openai', model = 'gpt-4o-mini', outputReserveTokens = 4096): number {
  const maxTokens = (body as { max_tokens?: number }).max_tokens ?? null;
  const e = estimateCost(book, provider, model, { promptTokens: Buffer.byteLength(JSON.stringify(body)), maxTokens, outputReserveTokens });
  if (!e.known) throw new Error(`the book has no price for ${provider}/${model}`);
  return e.nanos;
}

/** USD text of nano-USD as a config value (exact to 9 decimals). */
export const usdOf = (nanos: number): string => (nanos / 1e9).toFixed(9);

export interface SpendGatewayOptions {
  /** Extra keys filter fields, YAML at the filter config's indentation (20 spaces). */
  keys: string;
  provider: Provider;
  port: number;
  middle?: string;
}

export async function startSpendGateway(o: SpendGatewayOptions): Promise<TestGateway> {
  const adapters = '    - {id: keystore, name: dgp.adapter.store.sqlite, config: {path: data/keys.db}}\n';
  const keys = `                    store: keystore
                    master_key: ${MASTER}
                    ledger: {interval_ms: 20}
${o.keys}`;
  return startGateway(keysGatewayYaml({ keys, provider: o.provider, port: o.port, adapters, ...(o.middle === undefined ? {} : { middle: o.middle }) }));
}

export async function adminGet(g: TestGateway, path: string): Promise<unknown> {
  const res = await fetch(`${g.adminUrl}${path}`, { headers: { authorization: `Bearer ${MASTER}` } });
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

export async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The access-log lines of the gateway so far. */
export const accessLines = (g: TestGateway): Array<Record<string, unknown>> => g.logs.filter((l) => l.type === 'access');

/** The spend report's row for one key once the ledger holds `requests` rows of it. */
export function ledgerRow(g: TestGateway, keyId: string, requests: number): Promise<Record<string, number>> {
  return waitFor(`${requests} ledger rows of ${keyId}`, async () => {
    const r = (await adminGet(g, '/admin/v1/spend?group_by=key')) as { rows: Array<Record<string, number> & { group: string }> };
    const row = r.rows.find((x) => x.group === keyId);
    return row !== undefined && row.requests >= requests ? row : undefined;
  });
}
