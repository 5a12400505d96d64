// A small seeded fuzzer for the config parser and the translators (no property-testing library is installed): a
// mulberry32 PRNG, text and JSON-value mutators biased toward what breaks parsers (deep nesting, huge or odd
// numbers, long strings, `__proto__` keys, YAML syntax, control characters), and a loop with a run count and a
// wall-clock cap. The inputs depend only on the seed; DGP_FUZZ_SEED, DGP_FUZZ_RUNS and DGP_FUZZ_MS override the
// defaults for longer runs by hand. A failing input is printed with its seed and index, to be added to the corpus.

/** Engine messages that must never reach a user as the description of their input. */
export const ENGINE_TEXT =
  /Maximum call stack|Cannot read propert|Cannot set propert|Cannot convert|is not a function|is not iterable|is not a constructor|ReferenceError|TypeError:|RangeError:|SyntaxError:|undefined is not|null is not|Invalid array length|Invalid string length|\[object Object\]|Unexpected token|Unexpected end of JSON|in JSON at position|Cannot destructure/;

/** mulberry32: tiny, fast and good enough to drive mutations. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const ODD_STRINGS = [
  '', ' ', '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '${UNSET}', '${A:-}', '$${X}', '0', '-1',
  '1e309', 'NaN', 'true', 'null', '~', '\u0000', '\r\n', '\ud800', '💥', 'a'.repeat(300), 'x'.repeat(70_000), '500ms', '1h1h',
  '-5s', '9999999999999999999s', 'http://[::1', 'dgp.filter.llm.proxy', 'dgp.adapter.provider.openai', 'RoundRobin', '[]', '{}',
];
const ODD_NUMBERS = [0, -0, -1, 1, 0.5, 65535, 65536, 2 ** 31, 2 ** 53 + 1, -(2 ** 53), 1e308, Number.MAX_SAFE_INTEGER, 1e-300];
const YAML_TOKENS = ['\n', ' ', '  ', '\t', ':', ': ', '- ', '-', '[', ']', '{', '}', ',', '&a ', '*a', '!!str ', '!!binary ', '!foo ', '|', '>', '#', "'", '"', '? ', '<<: *a', '%YAML 1.2\n', '---\n', '...\n', '__proto__: ', 'null', '~', '${X}', '0x1F', '.inf', '\u00a0', '\ufeff'];

export class Fuzz {
  readonly random: () => number;

  constructor(seed: number) {
    this.random = prng(seed);
  }

  int(n: number): number {
    return Math.floor(this.random() * n);
  }

  chance(p: number): boolean {
    return this.random() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  /** A random scalar, array or object, at most `depth` levels deep. */
  value(depth = 2): unknown {
    switch (this.int(depth > 0 ? 9 : 6)) {
      case 0:
        return this.pick(ODD_STRINGS);
      case 1:
        return this.pick(ODD_NUMBERS);
      case 2:
        return this.chance(0.5);
      case 3:
        return null;
      case 4:
        return this.int(1000);
      case 5:
        return String.fromCharCode(...Array.from({ length: 1 + this.int(12) }, () => this.int(0x250)));
      case 6:
        return Array.from({ length: this.int(4) }, () => this.value(depth - 1));
      case 7:
        return Object.fromEntries(Array.from({ length: this.int(4) }, () => [this.pick(ODD_STRINGS).slice(0, 40), this.value(depth - 1)]));
      default:
        return this.nest(8 + this.int(150));
    }
  }

  /** `levels` nested arrays or objects around a scalar. */
  nest(levels: number): unknown {
    let v: unknown = 1;
    for (let i = 0; i < levels; i++) v = this.chance(0.5) ? [v] : { a: v };
    return v;
  }

  /** Returns a mutated deep copy of a JSON-like value: 1 to 4 edits at random places. */
  mutateValue(input: unknown): unknown {
    let out = structuredClone(input);
    for (let n = 1 + this.int(4); n > 0; n--) out = this.#edit(out, 0);
    return out;
  }

  #edit(v: unknown, depth: number): unknown {
    const stop = depth > 12 || this.chance(0.25);
    if (Array.isArray(v) && v.length > 0 && !stop) {
      const i = this.int(v.length);
      if (this.chance(0.1)) v.splice(i, 1);
      else if (this.chance(0.1)) v.push(structuredClone(v[i]));
      else v[i] = this.#edit(v[i], depth + 1);
      return v;
    }
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && !stop) {
      const o = v as Record<string, unknown>;
      const keys = Object.keys(o);
      if (keys.length === 0 || this.chance(0.12)) {
        Object.defineProperty(o, this.pick(ODD_STRINGS).slice(0, 40), { value: this.value(), enumerable: true, writable: true, configurable: true });
      } else {
        const k = this.pick(keys);
        if (this.chance(0.1)) delete o[k];
        else o[k] = this.#edit(o[k], depth + 1);
      }
      return o;
    }
    if (typeof v === 'string' && this.chance(0.3)) return this.mutateText(v, 2);
    return this.value();
  }

  /** Text edits: insert YAML syntax or odd characters, delete or duplicate a span, re-indent or swap lines. */
  mutateText(text: string, edits = 1 + this.int(6)): string {
    let s = text;
    for (let n = 0; n < edits; n++) {
      const at = this.int(s.length + 1);
      switch (this.int(8)) {
        case 0:
        case 1:
          s = s.slice(0, at) + this.pick(YAML_TOKENS) + s.slice(at);
          break;
        case 2:
          s = s.slice(0, at) + s.slice(at + 1 + this.int(20));
          break;
        case 3: {
          const len = 1 + this.int(80);
          s = s.slice(0, at + len) + s.slice(at, at + len) + s.slice(at + len);
          break;
        }
        case 4:
          s = s.slice(0, at) + String.fromCharCode(this.int(0x80)) + s.slice(at);
          break;
        case 5: {
          const lines = s.split('\n');
          const i = this.int(lines.length);
          lines[i] = this.chance(0.5) ? `  ${lines[i]}` : lines[i]!.replace(/^ {1,2}/, '');
          s = lines.join('\n');
          break;
        }
        case 6: {
          const lines = s.split('\n');
          const i = this.int(lines.length);
          const j = this.int(lines.length);
          [lines[i], lines[j]] = [lines[j]!, lines[i]!];
          s = lines.join('\n');
          break;
        }
        default:
          s = s.slice(0, at) + this.pick(ODD_STRINGS).slice(0, 300) + s.slice(at);
      }
    }
    return s;
  }
}

export interface FuzzSettings {
  seed: number;
  runs: number;
  /** Wall-clock cap for the whole loop, ms: on a slow machine fewer runs happen, each still the same input. */
  budgetMs: number;
}

export function fuzzSettings(defaults: { seed: number; runs: number; budgetMs: number }): FuzzSettings {
  const num = (name: string, def: number): number => {
    const v = Number(process.env[name]);
    return Number.isFinite(v) && v > 0 ? v : def;
  };
  return { seed: num('DGP_FUZZ_SEED', defaults.seed), runs: num('DGP_FUZZ_RUNS', defaults.runs), budgetMs: num('DGP_FUZZ_MS', defaults.budgetMs) };
}

export interface FuzzFailure {
  index: number;
  problem: string;
  input: string;
  /** Inputs that failed the same way (same message and first stack frame). */
  count: number;
}

/** What makes two failures "the same": the message without quoted values, and the first stack frame. */
function signature(problem: string): string {
  const frame = /\n?\s+at .*?\((.*?):\d+:\d+\)/.exec(problem)?.[1] ?? '';
  return `${problem.split('\n')[0]!.replace(/"[^"]*"|'[^']*'|\d+/g, '_').slice(0, 120)}|${frame}`;
}

/**
 * Runs `check` on input `i` = 0, 1, 2... until `runs` or the budget is spent; `check` returns a problem or
 * undefined. Every input is made from its own PRNG seeded with (seed, i), so one can be replayed alone. Failures are
 * grouped by signature, the first input of each kept.
 */
export async function fuzzLoop(
  s: FuzzSettings,
  make: (f: Fuzz, index: number) => string,
  check: (input: string) => Promise<string | undefined> | string | undefined,
): Promise<{ ran: number; failures: FuzzFailure[]; elapsedMs: number }> {
  const started = performance.now();
  const bySignature = new Map<string, FuzzFailure>();
  let ran = 0;
  for (; ran < s.runs && performance.now() - started < s.budgetMs; ran++) {
    const input = make(new Fuzz((s.seed * 0x9e3779b1 + ran) >>> 0), ran);
    let problem: string | undefined;
    try {
      problem = await check(input);
    } catch (err) {
      problem = `threw: ${(err as Error)?.stack ?? String(err)}`;
    }
    if (problem === undefined) continue;
    const key = signature(problem);
    const known = bySignature.get(key);
    if (known !== undefined) known.count++;
    else if (bySignature.size < 30) bySignature.set(key, { index: ran, problem, input, count: 1 });
  }
  return { ran, failures: [...bySignature.values()], elapsedMs: performance.now() - started };
}
