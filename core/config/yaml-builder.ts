// Builds plain data from a parsed YAML document, recording each JSON pointer's line:col: expands ${ENV} in string
// scalars, applies `<<` merge keys, bounds alias expansion and nesting, and refuses prototype keys wherever they
// come from.
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, Scalar, type Document, type Node } from 'yaml';
import { expandEnv } from './env-expand.js';
import { CONFIG_LIMITS, ConfigLimitError, tooLarge } from './limits.js';
import { child, error, type SourcePos } from './problems.js';
import type { ParsedYaml } from './yaml-source.js';

const PROTO_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
/** Alias expansion bound ("billion laughs"): a real conf.yaml has a few thousand nodes. */
export const MAX_NODES = 100_000;

function define(obj: Record<string, unknown>, key: string, value: unknown): void {
  // defineProperty never invokes a setter, so even a key that slipped through cannot reach Object.prototype.
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

export class Builder {
  private nodes = 0;
  private readonly active = new Set<Node>();
  /** alias.resolve() walks the whole document each call; each alias node always resolves to the same anchor. */
  private readonly aliases = new Map<Node, Node | undefined>();

  constructor(
    private readonly doc: Document,
    private readonly text: string,
    private readonly lines: LineCounter,
    private readonly env: NodeJS.ProcessEnv,
    private readonly out: ParsedYaml,
  ) {}

  private pos(node: { range?: unknown } | null | undefined): SourcePos | undefined {
    const range = node?.range as [number, number, number] | undefined;
    return range ? this.lines.linePos(range[0]) : undefined;
  }

  private mark(pointer: string, node: { range?: unknown } | null | undefined): void {
    const p = this.pos(node);
    if (p && !this.out.positions.has(pointer)) this.out.positions.set(pointer, p);
  }

  build(node: Node | null, pointer: string, depth = 0): unknown {
    if (++this.nodes > MAX_NODES) throw new Error('alias-bomb');
    if (depth > CONFIG_LIMITS.maxDepth) throw new ConfigLimitError({ ...tooLarge(pointer, `the config nests deeper than ${CONFIG_LIMITS.maxDepth} levels`), ...this.posField(node) });
    this.mark(pointer, node);
    if (node === null || node === undefined) return null;
    if (isAlias(node)) {
      const target = this.resolve(node);
      if (!target || this.active.has(target)) {
        this.out.findings.push(error('DGP_ERR_CONFIG_YAML', pointer, `alias *${node.source} ${target ? 'refers to itself' : 'has no anchor'}`));
        return null;
      }
      this.active.add(target);
      try {
        return this.build(target, pointer, depth);
      } finally {
        this.active.delete(target);
      }
    }
    if (isScalar(node)) return this.scalar(node, pointer);
    if (isSeq(node)) return node.items.map((item, i) => this.build(item as Node, child(pointer, i), depth + 1));
    if (isMap(node)) {
      const obj: Record<string, unknown> = {};
      this.fillMap(node, pointer, obj, depth + 1);
      return obj;
    }
    return null;
  }

  private scalar(node: Scalar, pointer: string): unknown {
    const v = node.value;
    if (typeof v !== 'string') return typeof v === 'bigint' ? Number(v) : v;
    if (v.length > CONFIG_LIMITS.maxString) throw this.longString(pointer, v.length, node);
    const x = expandEnv(v, this.env);
    if (x.value.length > CONFIG_LIMITS.maxString) throw this.longString(pointer, x.value.length, node);
    if (x.used.length > 0) this.out.expanded.set(pointer, x.used);
    const [start, end] = (node.range ?? [0, 0]) as [number, number];
    const source = this.text.slice(start, end);
    for (const issue of x.issues) {
      const at = source.indexOf(issue.text);
      const pos = this.lines.linePos(start + (at < 0 ? 0 : at));
      const hint = issue.code === 'DGP_ERR_CONFIG_ENV_UNSET' ? `export ${issue.name}=..., or write \${${issue.name}:-default}` : 'write ${NAME} or ${NAME:-default}; escape a literal as $${...}';
      this.out.findings.push({ ...error(issue.code, pointer, issue.message, hint), pos });
    }
    return x.value;
  }

  /** Explicit keys win over merged ones; among `<<: [*a, *b]`, earlier sources win (YAML merge-key rules). */
  private fillMap(node: Node, pointer: string, obj: Record<string, unknown>, depth: number): void {
    if (!isMap(node)) return;
    const merges: Node[] = [];
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const keyNode = pair.key as Node | null;
      if (isScalar(keyNode) && keyNode.value === '<<' && keyNode.type === Scalar.PLAIN) {
        merges.push(pair.value as Node);
        continue;
      }
      if (!isScalar(keyNode) || keyNode.value === null || typeof keyNode.value === 'object') {
        this.out.findings.push({ ...error('DGP_ERR_CONFIG_YAML', pointer, 'a mapping key must be a plain string'), ...this.posField(keyNode) });
        continue;
      }
      this.entry(String(keyNode.value), keyNode, pair.value as Node | null, pointer, obj, depth);
    }
    for (const source of merges) this.merge(source, pointer, obj, depth);
  }

  private entry(key: string, keyNode: Node, valueNode: Node | null, pointer: string, obj: Record<string, unknown>, depth: number): void {
    if (key.length > CONFIG_LIMITS.maxKey) {
      throw new ConfigLimitError({ ...tooLarge(pointer, `a key of ${key.length} characters; the limit is ${CONFIG_LIMITS.maxKey}`), ...this.posField(keyNode) });
    }
    const ptr = child(pointer, key);
    if (PROTO_KEYS.has(key)) {
      this.out.findings.push({ ...error('DGP_ERR_CONFIG_PROTO_KEY', ptr, `key "${key}" is not allowed (prototype pollution)`, 'remove or rename the key'), ...this.posField(keyNode) });
      return;
    }
    if (Object.prototype.hasOwnProperty.call(obj, key)) return;
    this.mark(ptr, keyNode);
    const value = this.build(valueNode, ptr, depth);
    // `key:` with nothing after it is Go's zero value in Pixiu, i.e. "use the default": treat null as absent.
    if (value !== null) define(obj, key, value);
  }

  private merge(source: Node | null, pointer: string, obj: Record<string, unknown>, depth: number): void {
    let node = source;
    if (isAlias(node)) node = this.resolve(node) ?? null;
    if (isSeq(node)) {
      for (const item of node.items) this.merge(item as Node, pointer, obj, depth);
      return;
    }
    if (!isMap(node)) {
      this.out.findings.push({ ...error('DGP_ERR_CONFIG_YAML', pointer, 'a "<<" merge key needs a mapping or an alias to one'), ...this.posField(source) });
      return;
    }
    if (++this.nodes > MAX_NODES) throw new Error('alias-bomb');
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const keyNode = pair.key as Node | null;
      if (!isScalar(keyNode) || keyNode.value === null || typeof keyNode.value === 'object') continue;
      if (keyNode.value === '<<' && keyNode.type === Scalar.PLAIN) {
        this.merge(pair.value as Node, pointer, obj, depth);
        continue;
      }
      this.entry(String(keyNode.value), keyNode, pair.value as Node | null, pointer, obj, depth);
    }
  }

  private longString(pointer: string, length: number, node: Node): ConfigLimitError {
    return new ConfigLimitError({ ...tooLarge(pointer, `a string of ${length} characters; the limit is ${CONFIG_LIMITS.maxString} (64 KiB)`), ...this.posField(node) });
  }

  private resolve(alias: Node): Node | undefined {
    if (!this.aliases.has(alias)) this.aliases.set(alias, isAlias(alias) ? ((alias.resolve(this.doc) as Node | undefined) ?? undefined) : alias);
    return this.aliases.get(alias);
  }

  private posField(node: { range?: unknown } | null | undefined): { pos?: SourcePos } {
    const p = this.pos(node);
    return p ? { pos: p } : {};
  }
}
