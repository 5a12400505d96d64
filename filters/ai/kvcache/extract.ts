// What the filter reads from a request body (Pixiu extractPromptAndModel, spec §3.4.2) and the cache key of a prompt
// (Pixiu: hex(sha256(model + "\x00" + prompt)), Appendix A). Large key material is hashed in the worker pool.
import { createHash } from 'node:crypto';
import type { WorkerPoolApi } from '../../../core/index.js';

export interface PromptInfo {
  prompt: string;
  model: string;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Text of a content value: a string, or (beyond Pixiu, which skips arrays) the text parts of a content array. */
function contentText(content: unknown): string | undefined {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return undefined;
  const parts = content.flatMap((p) => (isObject(p) && p.type === 'text' && typeof p.text === 'string' ? [p.text] : []));
  return parts.length > 0 ? parts.join('\n') : undefined;
}

/**
 * Pixiu: `model` if a string; `prompt` if a string, or its string elements joined with "\n"; otherwise the string
 * contents of `messages[]` joined with "\n"; trimmed. Ours also takes the text parts of array contents and an
 * Anthropic `system` (first), so multimodal and /v1/messages requests route too.
 */
export function promptFromJson(body: unknown): PromptInfo {
  if (!isObject(body)) throw new TypeError('the request body is not a JSON object');
  const model = typeof body.model === 'string' ? body.model : '';
  const p = body.prompt;
  let parts: string[] = [];
  if (typeof p === 'string') parts = [p];
  else if (Array.isArray(p)) parts = p.filter((x): x is string => typeof x === 'string');
  else {
    const system = contentText(body.system);
    if (system !== undefined) parts.push(system);
    if (Array.isArray(body.messages)) {
      for (const m of body.messages) {
        const text = isObject(m) ? contentText(m.content) : undefined;
        if (text !== undefined) parts.push(text);
      }
    }
  }
  return { prompt: parts.join('\n').trim(), model };
}

/** Pixiu's test surface: an empty body gives ("", ""); invalid JSON or a non-object throws. */
export function extractPromptAndModel(body: Buffer | string): PromptInfo {
  const text = Buffer.isBuffer(body) ? body.toString('utf8') : body;
  if (text.trim() === '') return { prompt: '', model: '' };
  return promptFromJson(JSON.parse(text) as unknown);
}

/**
 * The material a prompt's cache key hashes. A `prompt` body keys like Pixiu (model \0 prompt). A chat body keys on
 * the messages themselves: Pixiu's joined text would give ["a\nb"] and ["a","b"] one key though vLLM's chat template
 * tokenizes them differently.
 */
export function keyMaterial(body: unknown, info: PromptInfo): string {
  if (isObject(body) && body.prompt === undefined && Array.isArray(body.messages)) {
    return `${info.model}\x00${JSON.stringify([body.system ?? null, body.messages, body.tools ?? null])}`;
  }
  return `${info.model}\x00${info.prompt}`;
}

/** Material above this size is hashed in the worker pool (the event loop never hashes large bodies). */
const INLINE_HASH_BYTES = 16 * 1024;

export async function promptKey(material: string, workers: WorkerPoolApi): Promise<string> {
  if (material.length > INLINE_HASH_BYTES) {
    try {
      return (await workers.run<{ sha256: string }>('hash', { text: material })).sha256;
    } catch {
      // A full or closing pool must not cost the request its routing; hashing inline is correct, only slower.
    }
  }
  return createHash('sha256').update(material, 'utf8').digest('hex');
}
