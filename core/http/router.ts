// Route matching with Pixiu's semantics (spec §2.4): header-only routes first in declaration order; then a per-method
// segment trie (exact > `:var`/`*` > prefix `**`), then the `*` method trie; first duplicate wins. Our additions:
// regex paths (`match.regex`, tried after exact/param matches and before prefix matches), header matchers on path
// routes (Pixiu ignores them there), and model matchers (`match.model`) on a value a filter of the listener supplies:
// the router knows only that it is a string to match exactly or by `*` pattern.
import type { IncomingHttpHeaders } from 'node:http';

export interface HeaderMatcher {
  name: string;
  values: string[];
  regex: boolean;
}

export interface RouteSpec {
  id: string;
  match: { prefix: string; path: string; regex: string; methods: string[]; headers: HeaderMatcher[]; model?: string[] };
  route: { cluster: string; cluster_not_found_response_code: number; priority?: number };
}

export interface CompiledRoute {
  readonly index: number;
  readonly id: string;
  readonly cluster: string;
  readonly clusterNotFoundResponseCode: number;
  /** Admission priority (route.priority); undefined when not set. */
  readonly priority: number | undefined;
  readonly headers: ReadonlyArray<{ name: string; test: (v: string) => boolean }>;
  /** The route's model matcher; undefined = any model. */
  readonly model: ((model: string) => boolean) | undefined;
}

/** Stands for "any model" while the request's model is not known yet (see Router.match). */
export const ANY_MODEL: unique symbol = Symbol('any model');
export type ModelArg = string | undefined | typeof ANY_MODEL;

export interface RouteMatch {
  route: CompiledRoute;
  params: Record<string, string>;
}

/** Pixiu's default method set when `methods` is empty. */
export const DEFAULT_METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'];

interface TrieNode {
  exact: Map<string, TrieNode>;
  param: { name: string; node: TrieNode } | undefined;
  /** Routes ending here (exact/param paths). */
  routes: CompiledRoute[];
  /** Prefix routes (`**`) anchored here: match this node and everything below. */
  prefix: CompiledRoute[];
}

const newNode = (): TrieNode => ({ exact: new Map(), param: undefined, routes: [], prefix: [] });
/** The params of every match without `:var` segments (one shared frozen object). */
export const EMPTY_PARAMS: Record<string, string> = Object.freeze({}) as Record<string, string>;

export class Router {
  private readonly headerOnly: Array<{ route: CompiledRoute; methods: Set<string> | undefined }> = [];
  private readonly tries = new Map<string, TrieNode>();
  private readonly regexRoutes: Array<{ route: CompiledRoute; re: RegExp; methods: Set<string> | undefined }> = [];

  /**
   * Matches by method and path when no route looks at headers (the usual LLM config): the split and trie walks run
   * once per distinct path, not per request. Bounded, since clients choose paths; only matches without
   * `:var` values are kept, so no params object is ever shared.
   */
  private readonly cache: Map<string, Map<string, RouteMatch | null>> | undefined;

  /** Some route matches on the model: the connection manager must supply it (see match). */
  readonly usesModel: boolean;

  constructor(specs: readonly RouteSpec[], listener: string) {
    specs.forEach((spec, index) => this.add(spec, index, listener));
    this.usesModel = specs.some((spec) => (spec.match.model?.length ?? 0) > 0);
    this.cache = !this.usesModel && specs.every((spec) => spec.match.headers.length === 0) ? new Map() : undefined;
  }

  private add(spec: RouteSpec, index: number, listener: string): void {
    const route: CompiledRoute = Object.freeze({
      index,
      id: spec.id || `${listener}#${index}`,
      cluster: spec.route.cluster,
      clusterNotFoundResponseCode: spec.route.cluster_not_found_response_code,
      priority: spec.route.priority,
      headers: spec.match.headers.map(compileHeader),
      model: compileModel(spec.match.model ?? []),
    });
    const m = spec.match;
    const anyMethod = m.methods.includes('*');
    const methods = anyMethod ? undefined : m.methods.length ? m.methods.map((x) => x.toUpperCase()) : DEFAULT_METHODS;
    if (m.regex) {
      this.regexRoutes.push({ route, re: new RegExp(m.regex), methods: methods && new Set(methods) });
      return;
    }
    if (!m.path && !m.prefix) {
      if (m.headers.length || (m.model?.length ?? 0) > 0) this.headerOnly.push({ route, methods: m.methods.length && !anyMethod ? new Set(methods) : undefined });
      return;
    }
    for (const method of methods ?? ['*']) {
      let root = this.tries.get(method);
      if (!root) this.tries.set(method, (root = newNode()));
      if (m.path) insert(root, segments(m.path), route, false);
      else insert(root, segments(m.prefix), route, true);
    }
  }

  /**
   * `model`: the request's model; ANY_MODEL while it is unknown, so that model routes match whatever it is. When that
   * first match is not a model route, no model route precedes it and the model cannot change the answer; when it is,
   * the caller reads the model and matches again with it.
   */
  match(method: string, path: string, headers: IncomingHttpHeaders, ...known: [model: ModelArg] | []): RouteMatch | undefined {
    // Not a default parameter: an explicit undefined (a request without a model) must stay undefined.
    const model = known.length === 0 ? ANY_MODEL : known[0];
    const cache = this.cache;
    if (cache === undefined) return this.find(method, path, headers, model);
    let byPath = cache.get(method);
    if (byPath === undefined) cache.set(method, (byPath = new Map()));
    const hit = byPath.get(path);
    if (hit !== undefined) return hit ?? undefined;
    const found = this.find(method, path, headers, model);
    if (found === undefined || found.params === EMPTY_PARAMS) {
      if (byPath.size >= MATCH_CACHE_SIZE) byPath.clear();
      byPath.set(path, found === undefined ? null : Object.freeze(found));
    }
    return found;
  }

  private find(method: string, path: string, headers: IncomingHttpHeaders, model: ModelArg): RouteMatch | undefined {
    const req: Facts = { headers, model };
    for (const h of this.headerOnly) {
      if ((!h.methods || h.methods.has(method)) && routeMatches(h.route, req)) return { route: h.route, params: EMPTY_PARAMS };
    }
    const segs = segments(path);
    const byMethod = this.tries.get(method);
    const any = this.tries.get('*');
    const exact = (byMethod && lookup(byMethod, segs, 0, req, false)) || (any && lookup(any, segs, 0, req, false));
    if (exact) return exact;
    for (const r of this.regexRoutes) {
      if ((!r.methods || r.methods.has(method)) && r.re.test(path) && routeMatches(r.route, req)) {
        return { route: r.route, params: EMPTY_PARAMS };
      }
    }
    return (byMethod && lookup(byMethod, segs, 0, req, true)) || (any && lookup(any, segs, 0, req, true)) || undefined;
  }
}

/** Distinct paths remembered per method by Router.match. */
const MATCH_CACHE_SIZE = 1024;

function segments(path: string): string[] {
  return path.split('/').filter((s) => s !== '');
}

function insert(root: TrieNode, segs: string[], route: CompiledRoute, prefix: boolean): void {
  let node = root;
  for (const seg of segs) {
    if (seg === '**') {
      prefix = true;
      break;
    }
    if (seg.startsWith(':') || seg === '*') {
      const name = seg === '*' ? '*' : seg.slice(1);
      node.param ??= { name, node: newNode() };
      node = node.param.node;
    } else {
      let next = node.exact.get(seg);
      if (!next) node.exact.set(seg, (next = newNode()));
      node = next;
    }
  }
  (prefix ? node.prefix : node.routes).push(route);
}

/** Depth-first: exact child, then param child; `wantPrefix` selects the prefix pass. Params are built on the way out. */
function lookup(
  node: TrieNode,
  segs: string[],
  i: number,
  req: Facts,
  wantPrefix: boolean,
): RouteMatch | undefined {
  if (i === segs.length) {
    const hit = firstMatching(wantPrefix ? node.prefix : node.routes, req);
    return hit && { route: hit, params: EMPTY_PARAMS };
  }
  const child = node.exact.get(segs[i]!);
  const viaExact = child && lookup(child, segs, i + 1, req, wantPrefix);
  if (viaExact) return viaExact;
  if (node.param) {
    const viaParam = lookup(node.param.node, segs, i + 1, req, wantPrefix);
    if (viaParam) {
      const params = viaParam.params === EMPTY_PARAMS ? {} : viaParam.params;
      params[node.param.name] = segs[i]!;
      return { route: viaParam.route, params };
    }
  }
  if (wantPrefix) {
    const hit = firstMatching(node.prefix, req);
    if (hit) return { route: hit, params: EMPTY_PARAMS };
  }
  return undefined;
}

/** What a route's matchers look at besides method and path. */
interface Facts {
  readonly headers: IncomingHttpHeaders;
  readonly model: ModelArg;
}

function firstMatching(routes: CompiledRoute[], req: Facts): CompiledRoute | undefined {
  for (const r of routes) if (routeMatches(r, req)) return r;
  return undefined;
}

function routeMatches(route: CompiledRoute, req: Facts): boolean {
  if (route.model !== undefined && req.model !== ANY_MODEL && (req.model === undefined || !route.model(req.model))) return false;
  return headersMatch(route, req.headers);
}

function headersMatch(route: CompiledRoute, headers: IncomingHttpHeaders): boolean {
  for (const h of route.headers) {
    const raw = headers[h.name];
    const v = Array.isArray(raw) ? raw[0] : raw;
    if (!v || !h.test(v)) return false;
  }
  return true;
}

function compileHeader(h: HeaderMatcher): { name: string; test: (v: string) => boolean } {
  const name = h.name.toLowerCase();
  if (h.regex) {
    const re = new RegExp(h.values[0] ?? '');
    return { name, test: (v) => re.test(v) };
  }
  const values = new Set(h.values);
  return { name, test: (v) => values.has(v) };
}

/** Exact names and `*` patterns (any run of characters); undefined for [] (any model). */
function compileModel(names: readonly string[]): ((model: string) => boolean) | undefined {
  if (names.length === 0) return undefined;
  const exact = new Set(names.filter((n) => !n.includes('*')));
  const patterns = names.filter((n) => n.includes('*')).map((n) => new RegExp(`^${n.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 's'));
  return (model) => exact.has(model) || patterns.some((re) => re.test(model));
}
