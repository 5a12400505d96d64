// Route matching with Pixiu's semantics (spec §2.4): header-only routes first in declaration order; then a per-method
// segment trie (exact > `:var`/`*` > prefix `**`), then the `*` method trie; first duplicate wins. Our additions:
// regex paths (`match.regex`, tried after exact/param matches and before prefix matches) and header matchers on path
// routes (Pixiu ignores them there).
import type { IncomingHttpHeaders } from 'node:http';

export interface HeaderMatcher {
  name: string;
  values: string[];
  regex: boolean;
}

export interface RouteSpec {
  id: string;
  match: { prefix: string; path: string; regex: string; methods: string[]; headers: HeaderMatcher[] };
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
}

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

  constructor(specs: readonly RouteSpec[], listener: string) {
    specs.forEach((spec, index) => this.add(spec, index, listener));
    this.cache = specs.every((spec) => spec.match.headers.length === 0) ? new Map() : undefined;
  }

  private add(spec: RouteSpec, index: number, listener: string): void {
    const route: CompiledRoute = Object.freeze({
      index,
      id: spec.id || `${listener}#${index}`,
      cluster: spec.route.cluster,
      clusterNotFoundResponseCode: spec.route.cluster_not_found_response_code,
      priority: spec.route.priority,
      headers: spec.match.headers.map(compileHeader),
    });
    const m = spec.match;
    const anyMethod = m.methods.includes('*');
    const methods = anyMethod ? undefined : m.methods.length ? m.methods.map((x) => x.toUpperCase()) : DEFAULT_METHODS;
    if (m.regex) {
      this.regexRoutes.push({ route, re: new RegExp(m.regex), methods: methods && new Set(methods) });
      return;
    }
    if (!m.path && !m.prefix) {
      if (m.headers.length) this.headerOnly.push({ route, methods: m.methods.length && !anyMethod ? new Set(methods) : undefined });
      return;
    }
    for (const method of methods ?? ['*']) {
      let root = this.tries.get(method);
      if (!root) this.tries.set(method, (root = newNode()));
      if (m.path) insert(root, segments(m.path), route, false);
      else insert(root, segments(m.prefix), route, true);
    }
  }

  match(method: string, path: string, headers: IncomingHttpHeaders): RouteMatch | undefined {
    const cache = this.cache;
    if (cache === undefined) return this.find(method, path, headers);
    let byPath = cache.get(method);
    if (byPath === undefined) cache.set(method, (byPath = new Map()));
    const hit = byPath.get(path);
    if (hit !== undefined) return hit ?? undefined;
    const found = this.find(method, path, headers);
    if (found === undefined || found.params === EMPTY_PARAMS) {
      if (byPath.size >= MATCH_CACHE_SIZE) byPath.clear();
      byPath.set(path, found === undefined ? null : Object.freeze(found));
    }
    return found;
  }

  private find(method: string, path: string, headers: IncomingHttpHeaders): RouteMatch | undefined {
    for (const h of this.headerOnly) {
      if ((!h.methods || h.methods.has(method)) && headersMatch(h.route, headers)) return { route: h.route, params: EMPTY_PARAMS };
    }
    const segs = segments(path);
    const byMethod = this.tries.get(method);
    const any = this.tries.get('*');
    const exact = (byMethod && lookup(byMethod, segs, 0, headers, false)) || (any && lookup(any, segs, 0, headers, false));
    if (exact) return exact;
    for (const r of this.regexRoutes) {
      if ((!r.methods || r.methods.has(method)) && r.re.test(path) && headersMatch(r.route, headers)) {
        return { route: r.route, params: EMPTY_PARAMS };
      }
    }
    return (byMethod && lookup(byMethod, segs, 0, headers, true)) || (any && lookup(any, segs, 0, headers, true)) || undefined;
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
  headers: IncomingHttpHeaders,
  wantPrefix: boolean,
): RouteMatch | undefined {
  if (i === segs.length) {
    const hit = firstMatching(wantPrefix ? node.prefix : node.routes, headers);
    return hit && { route: hit, params: EMPTY_PARAMS };
  }
  const child = node.exact.get(segs[i]!);
  const viaExact = child && lookup(child, segs, i + 1, headers, wantPrefix);
  if (viaExact) return viaExact;
  if (node.param) {
    const viaParam = lookup(node.param.node, segs, i + 1, headers, wantPrefix);
    if (viaParam) {
      const params = viaParam.params === EMPTY_PARAMS ? {} : viaParam.params;
      params[node.param.name] = segs[i]!;
      return { route: viaParam.route, params };
    }
  }
  if (wantPrefix) {
    const hit = firstMatching(node.prefix, headers);
    if (hit) return { route: hit, params: EMPTY_PARAMS };
  }
  return undefined;
}

function firstMatching(routes: CompiledRoute[], headers: IncomingHttpHeaders): CompiledRoute | undefined {
  for (const r of routes) if (headersMatch(r, headers)) return r;
  return undefined;
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
