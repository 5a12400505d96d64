// CountBased (Pixiu countbased/count_based.go): `times` retries without delay. Config parsing and error messages
// follow Pixiu word for word so existing configs fail the same way.
import { BaseRetryPolicy, type RetryPolicy } from './policy.js';

const DEFAULT_TIMES = 2;

/** Go's %T for the JSON/YAML values a config can hold, so messages read as Pixiu's do. */
export function goTypeName(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return '[]interface {}';
  switch (typeof v) {
    case 'boolean':
      return 'bool';
    case 'number':
      return Number.isInteger(v) ? 'int' : 'float64';
    case 'string':
      return 'string';
    case 'object':
      return 'map[string]interface {}';
    default:
      return typeof v;
  }
}

/** Go's %f: six decimals. */
const goFloat = (n: number): string => n.toFixed(6);

/** Reads `times` exactly as Pixiu does (case-sensitive key; int, whole float or numeric string). */
export function parseCountBasedTimes(config: Readonly<Record<string, unknown>>): number {
  if (!Object.hasOwn(config, 'times')) return DEFAULT_TIMES;
  const raw = config.times;
  let times: number;
  if (typeof raw === 'number') {
    if (!Number.isFinite(raw) || !Number.isInteger(raw)) {
      throw new Error(`invalid float value for 'times', must be a whole number, but got ${goFloat(raw)}`);
    }
    times = raw;
  } else if (typeof raw === 'string') {
    // strconv.Atoi: optional sign, decimal digits, nothing else (no spaces, no "3.0").
    if (!/^[+-]?\d+$/.test(raw)) {
      throw new Error(`could not parse string value for 'times': strconv.Atoi: parsing ${JSON.stringify(raw)}: invalid syntax`);
    }
    times = Number.parseInt(raw, 10);
  } else {
    throw new Error(`invalid type for 'times', expected a number or a numeric string, but got ${goTypeName(raw)}`);
  }
  if (times < 0) throw new Error(`value for 'times' cannot be negative, but got ${times}`);
  return times;
}

class CountBasedPolicy extends BaseRetryPolicy {
  constructor(readonly maxAttempts: number) {
    super();
  }
  protected delayBefore(): number {
    return 0;
  }
}

export function createCountBased(config: Readonly<Record<string, unknown>>): RetryPolicy {
  return new CountBasedPolicy(parseCountBasedTimes(config) + 1);
}
