// Tokenizers inside a worker: tiktoken encodings (cl100k_base, o200k_base... bundled in the npm package's WASM, no
// download at run time) and Hugging Face tokenizer.json files, chosen from a model name by a built-in prefix map.
import { readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { get_encoding, type Tiktoken, type TiktokenEncoding } from 'tiktoken';
import { TaskError } from './task-error.js';
import type { EncodingChoice } from './types.js';

export const TIKTOKEN_ENCODINGS: readonly string[] = ['o200k_base', 'cl100k_base', 'p50k_base', 'p50k_edit', 'r50k_base', 'gpt2'];

/** OpenAI model-name prefixes and their encodings; the longest matching prefix wins (gpt-4o before gpt-4). */
export const DEFAULT_MODEL_ENCODINGS: Readonly<Record<string, string>> = {
  'gpt-5': 'o200k_base',
  'gpt-4.1': 'o200k_base',
  'gpt-4.5': 'o200k_base',
  'gpt-4o': 'o200k_base',
  'chatgpt-4o': 'o200k_base',
  'gpt-oss': 'o200k_base',
  o1: 'o200k_base',
  o3: 'o200k_base',
  o4: 'o200k_base',
  'gpt-4': 'cl100k_base',
  'gpt-3.5': 'cl100k_base',
  'gpt-35': 'cl100k_base',
  'text-embedding-3': 'cl100k_base',
  'text-embedding-ada-002': 'cl100k_base',
};

export interface Encoder {
  readonly name: string;
  /** Token ids of `text`, special-token text counted as ordinary text (user content is never a control token). */
  encode(text: string): ArrayLike<number>;
}

/** The model name without a provider prefix (`openai/gpt-4o` → `gpt-4o`), lower-cased. */
export function baseModelName(model: string): string {
  const slash = model.lastIndexOf('/');
  return (slash === -1 ? model : model.slice(slash + 1)).toLowerCase();
}

/** Longest-prefix lookup of `model` in `map`; undefined when no key is a prefix. */
export function lookupModel(map: Readonly<Record<string, string>>, model: string): string | undefined {
  const name = baseModelName(model);
  let bestLen = -1;
  let found: string | undefined;
  for (const [key, value] of Object.entries(map)) {
    const prefix = key.toLowerCase().replace(/\*$/, '');
    if (name.startsWith(prefix) && prefix.length > bestLen) {
      bestLen = prefix.length;
      found = value;
    }
  }
  return found;
}

export function chooseEncoding(choice: EncodingChoice): string {
  if (choice.encoding) return choice.encoding;
  const byModel = choice.model ? lookupModel(DEFAULT_MODEL_ENCODINGS, choice.model) : undefined;
  return byModel ?? choice.fallbackEncoding ?? 'o200k_base';
}

const tiktokens = new Map<string, Tiktoken>();
const hfTokenizers = new Map<string, { mtimeMs: number; encoder: Encoder }>();

export function getEncoder(spec: string): Encoder {
  if (spec.endsWith('.json')) return getHfEncoder(spec);
  if (!TIKTOKEN_ENCODINGS.includes(spec)) {
    throw new TaskError('DGP_ERR_WORKER_ENCODING', `Unknown encoding "${spec}"; use one of ${TIKTOKEN_ENCODINGS.join(', ')} or a path to a tokenizer.json.`);
  }
  let enc = tiktokens.get(spec);
  if (!enc) {
    enc = get_encoding(spec as TiktokenEncoding);
    tiktokens.set(spec, enc);
  }
  const tk = enc;
  return { name: spec, encode: (text) => tk.encode_ordinary(text) };
}

function getHfEncoder(file: string): Encoder {
  let mtimeMs: number;
  try {
    mtimeMs = statSync(file).mtimeMs;
  } catch (err) {
    throw new TaskError('DGP_ERR_WORKER_ENCODING', `Cannot read tokenizer file ${file}: ${(err as Error).message}`);
  }
  const cached = hfTokenizers.get(file);
  if (cached && cached.mtimeMs === mtimeMs) return cached.encoder;
  let tok: Tokenizer;
  try {
    const json: unknown = JSON.parse(readFileSync(file, 'utf8'));
    tok = new Tokenizer(json as object, readOptionalConfig(join(dirname(file), 'tokenizer_config.json')));
  } catch (err) {
    throw new TaskError('DGP_ERR_WORKER_ENCODING', `Cannot load Hugging Face tokenizer ${file}: ${(err as Error).message}`);
  }
  const encoder: Encoder = { name: file, encode: (text) => tok.encode(text, { add_special_tokens: false }).ids };
  hfTokenizers.set(file, { mtimeMs, encoder });
  return encoder;
}

/** tokenizer_config.json is optional (absent → {}); a present but broken one is an error, not silently ignored. */
function readOptionalConfig(file: string): object {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw err;
  }
  return JSON.parse(text) as object;
}
