// ExponentialBackoff (Pixiu exponentialbackoff/exponential_backoff.go): `times` retries, waiting
// min(initial × multiplier^(n−1), max) + 0–99 ms of jitter before retry n. Keys match case-insensitively (Pixiu decodes
// with mapstructure); error messages follow Pixiu's. Unlike Pixiu, the wait is cancelled by the client's abort.
import { parseDuration } from '../../../../core/index.js';
import { BaseRetryPolicy, type RetryPolicy } from './policy.js';
import { goTypeName } from './count-based.js';

export interface ExponentialBackoffSettings {
  maxAttempts: number;
  initialInterval: number;
  maxInterval: number;
  multiplier: number;
}

const DEFAULTS = { times: 2, initialInterval: '100ms', maxInterval: '5s', multiplier: 2.0 };
const JITTER_MS = 100;

/** mapstructure matches a field name case-insensitively; an exact match wins. */
function lookup(config: Readonly<Record<string, unknown>>, key: string): unknown {
  if (Object.hasOwn(config, key)) return config[key];
  const lower = key.toLowerCase();
  const found = Object.keys(config).find((k) => k.toLowerCase() === lower);
  return found === undefined ? undefined : config[found];
}

const decodeError = (detail: string): Error =>
  new Error(`failed to decode exponential backoff config: 1 error(s) decoding:\n\n* ${detail}`);
const unconvertible = (key: string, want: string, v: unknown): Error =>
  decodeError(`'${key}' expected type '${want}', got unconvertible type '${goTypeName(v)}', value: '${String(v)}'`);

function decodeTimes(v: unknown): number {
  if (v === undefined) return DEFAULTS.times;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw unconvertible('times', 'uint', v);
  if (v < 0) throw decodeError(`cannot parse 'times', ${Number.isInteger(v) ? v : v.toFixed(6)} overflows uint`);
  return Math.trunc(v);
}

/** Go time.ParseDuration's messages for the mistakes people make ("500" without a unit, a misspelt unit). */
function goDuration(field: string, v: unknown): number {
  // A number is taken as milliseconds (our YAML convention); Pixiu would refuse it at decode time.
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return v;
  if (typeof v !== 'string') throw unconvertible(field, 'string', v);
  try {
    return parseDuration(v, field);
  } catch {
    const unit = /^[+-]?[\d.]+([^\d.]+)/.exec(v.trim())?.[1];
    const why = /^[+-]?[\d.]+$/.test(v.trim())
      ? `time: missing unit in duration ${JSON.stringify(v)}`
      : unit !== undefined
        ? `time: unknown unit ${JSON.stringify(unit)} in duration ${JSON.stringify(v)}`
        : `time: invalid duration ${JSON.stringify(v)}`;
    throw new Error(`invalid ${field}: ${why}`);
  }
}

export function parseExponentialBackoff(config: Readonly<Record<string, unknown>>): ExponentialBackoffSettings {
  const times = decodeTimes(lookup(config, 'times'));
  const multiplierRaw = lookup(config, 'multiplier') ?? DEFAULTS.multiplier;
  if (typeof multiplierRaw !== 'number' || !Number.isFinite(multiplierRaw)) throw unconvertible('multiplier', 'float64', multiplierRaw);
  const initialRaw = lookup(config, 'initialInterval') ?? DEFAULTS.initialInterval;
  const maxRaw = lookup(config, 'maxInterval') ?? DEFAULTS.maxInterval;
  if (typeof initialRaw !== 'string' && typeof initialRaw !== 'number') throw unconvertible('initialInterval', 'string', initialRaw);
  if (typeof maxRaw !== 'string' && typeof maxRaw !== 'number') throw unconvertible('maxInterval', 'string', maxRaw);
  return {
    maxAttempts: times + 1,
    initialInterval: goDuration('initialInterval', initialRaw),
    maxInterval: goDuration('maxInterval', maxRaw),
    multiplier: multiplierRaw,
  };
}

export class ExponentialBackoffPolicy extends BaseRetryPolicy {
  readonly maxAttempts: number;
  constructor(
    readonly settings: ExponentialBackoffSettings,
    private readonly random: () => number = Math.random,
  ) {
    super();
    this.maxAttempts = settings.maxAttempts;
  }

  protected delayBefore(done: number): number {
    if (done === 0) return 0;
    const { initialInterval, multiplier, maxInterval } = this.settings;
    const base = Math.min(initialInterval * multiplier ** (done - 1), maxInterval);
    return base + Math.floor(this.random() * JITTER_MS);
  }
}

/** `random` is injectable so tests can pin the jitter. */
export function createExponentialBackoff(config: Readonly<Record<string, unknown>>, random?: () => number): RetryPolicy {
  return new ExponentialBackoffPolicy(parseExponentialBackoff(config), random);
}
