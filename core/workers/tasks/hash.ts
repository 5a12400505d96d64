// Task `hash`: SHA-256 of a request as canonical JSON (object keys sorted, no whitespace), so that two requests that
// differ only in key order or formatting hash the same (cache keys, consistent hashing).
import { createHash } from 'node:crypto';
import { TaskError } from './task-error.js';
import type { HashInput, HashOutput } from './types.js';

export function hash(input: HashInput): HashOutput {
  if (input === null || typeof input !== 'object') throw new TaskError('DGP_ERR_WORKER_TASK', 'hash: input must be { value } or { text }.');
  const text = typeof input.text === 'string' ? input.text : canonicalJson(input.value);
  return { sha256: createHash('sha256').update(text, 'utf8').digest('hex') };
}

/** JSON.stringify with object keys sorted at every depth; undefined members and functions dropped as JSON does. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const parts: string[] = [];
  for (const key of Object.keys(obj).sort()) {
    const v = obj[key];
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
    parts.push(`${JSON.stringify(key)}:${canonicalJson(v)}`);
  }
  return `{${parts.join(',')}}`;
}
