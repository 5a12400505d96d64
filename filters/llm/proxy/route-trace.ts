// The routing trace: which route and model group a request matched, every candidate endpoint in the order it was
// considered with why it was skipped or how its attempt ended, and the pick. Always on the access-log line
// (`route_trace`); as the `x-dgp-route` response header when route_header is on.
import { AccessLogFields, defineAttribute, type RequestContext } from '../../../core/index.js';

export const ROUTE_HEADER = 'x-dgp-route';

/** Why a candidate was passed over, or how its attempts ended. */
export type CandidateNote = 'unhealthy' | 'cooling' | 'not_found' | 'over_budget' | 'picked' | `failed:${string}`;

const UNSAFE = /[^\x21-\x7e]|[;,=()]/u;
const UNSAFE_ALL = /[^\x21-\x7e]|[;,=()]/gu;
/** Percent-encoding of one code point; a lone surrogate (valid JSON, not UTF-8) becomes U+FFFD instead of throwing. */
function encode(c: string): string {
  if (c === '(') return '%28';
  if (c === ')') return '%29';
  try {
    return encodeURIComponent(c);
  } catch {
    return '%EF%BF%BD';
  }
}
/** Model names and ids are client- or config-chosen: kept to header-safe characters (no copy in the usual case). */
const safe = (s: string): string => (UNSAFE.test(s) ? s.replace(UNSAFE_ALL, encode) : s);

/** A price of the price book (nano-USD of a million input plus a million output tokens) as the trace shows it. */
const usd = (nanos: number): string => `${Number((nanos / 1e9).toPrecision(4))}usd`;

export class RouteTrace {
  readonly #entries: string[] = [];
  #group: string | undefined;
  #model: string | undefined;
  #how: string | undefined;
  #price: ((cluster: string, endpoint: string) => number | undefined) | undefined;
  /** A candidate before the pick was passed over for cooling, budget or a failure. */
  #detoured = false;
  #pick: string | undefined;

  constructor(readonly route: string) {}

  model(requested: string | undefined, group: string | undefined, via?: string): void {
    this.#model = requested;
    this.#group = group === undefined ? undefined : via === undefined || via === 'name' ? safe(group) : `${safe(group)}(${via})`;
  }

  /**
   * How the walk orders its candidates (the cluster's LB policy, the model group's strategy, `preferred`), and for the
   * cost-ranked ones the price of a candidate: the pick reason `pick=` is made of them.
   */
  how(how: string, price?: (cluster: string, endpoint: string) => number | undefined): void {
    this.#how = how;
    this.#price = price;
  }

  note(cluster: string, endpoint: string, what: CandidateNote): void {
    if (what === 'picked' && this.#pick === undefined && this.#how !== undefined) {
      const price = this.#price?.(cluster, endpoint);
      const priced = this.#price === undefined ? '' : price === undefined ? ':unpriced' : `:${usd(price)}`;
      this.#pick = this.#detoured ? `fallback:${this.#how}${priced}` : `${this.#how}${priced}`;
    } else if (what === 'cooling' || what === 'over_budget' || what.startsWith('failed:')) {
      this.#detoured = true;
    }
    if (this.#entries.length < 64) this.#entries.push(`${safe(cluster)}/${safe(endpoint)}(${safe(what)})`);
  }

  toString(): string {
    let s = `route=${safe(this.route)}`;
    if (this.#model !== undefined) s += `;model=${safe(this.#model)}`;
    if (this.#group !== undefined) s += `;group=${this.#group}`;
    const entries = this.#entries;
    s += `;candidates=${entries.length === 1 ? entries[0]! : entries.join(',')}`;
    if (this.#pick !== undefined) s += `;pick=${safe(this.#pick)}`;
    return s;
  }
}

export const RouteTraceKey = defineAttribute<RouteTrace>('dgp.filter.llm.proxy/route_trace');

/** The request's trace, created on first use. */
export function traceOf(ctx: RequestContext): RouteTrace {
  let t = ctx.get(RouteTraceKey);
  if (t === undefined) ctx.set(RouteTraceKey, (t = new RouteTrace(ctx.route.id)));
  return t;
}

/** Writes the trace to the access log and, when asked, to the response headers. */
export function publishTrace(ctx: RequestContext, header: boolean): void {
  const t = ctx.get(RouteTraceKey);
  if (t === undefined) return;
  const text = t.toString();
  // The fields object is this request's own (filters build a fresh one per request): set in place, no spread.
  const fields = ctx.get(AccessLogFields);
  if (fields === undefined || !Object.isExtensible(fields)) ctx.set(AccessLogFields, { ...fields, route_trace: text });
  else fields.route_trace = text;
  if (header) ctx.response.headers[ROUTE_HEADER] = text;
}
