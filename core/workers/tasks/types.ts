// Inputs and outputs of the worker pool's tasks (structured-clone data only), shared by the tasks and their callers.

/**
 * An encoding: a tiktoken name (`cl100k_base`, `o200k_base`, `p50k_base`, `r50k_base`, `p50k_edit`, `gpt2`) or an
 * absolute path to a Hugging Face `tokenizer.json` (a `tokenizer_config.json` beside it is read when present).
 */
export type EncodingSpec = string;

/** How a task picks its tokenizer: `encoding` wins; else `model` through the built-in map; else `fallbackEncoding`. */
export interface EncodingChoice {
  model?: string;
  encoding?: EncodingSpec;
  /** Used when neither `encoding` is given nor `model` is a known OpenAI model. Default `o200k_base`. */
  fallbackEncoding?: EncodingSpec;
}

export interface TokenizeInput extends EncodingChoice {
  text: string;
  /** Also return the token ids. Default false (counting only). */
  ids?: boolean;
}
export interface TokenizeOutput {
  count: number;
  /** The encoding actually used. */
  encoding: string;
  ids?: number[];
}

/** An OpenAI-style chat message; `content` may be a string or an array of parts (`{type:'text', text}`...). */
export interface ChatMessageInput {
  role: string;
  content?: unknown;
  name?: string;
  tool_calls?: unknown;
  [key: string]: unknown;
}
export interface CountChatTokensInput extends EncodingChoice {
  messages: ChatMessageInput[];
  /** Tool / function definitions sent with the request; counted as their JSON text (an approximation). */
  tools?: unknown;
}
export interface CountChatTokensOutput {
  count: number;
  encoding: string;
  /** Content parts that carry no text (images, audio, files) and were counted as 0 tokens. */
  uncountedParts: number;
}

/** Either `value` (hashed as canonical JSON: sorted keys, no spaces) or `text` (hashed as UTF-8). */
export interface HashInput {
  value?: unknown;
  text?: string;
}
export interface HashOutput {
  /** Lower-case hex SHA-256. */
  sha256: string;
}

export interface PrefixHashesInput extends EncodingChoice {
  /** Text to tokenize first, or `ids` already tokenized. */
  text?: string;
  ids?: number[];
  /** Tokens per block (> 0). Only whole blocks are hashed. */
  blockSize: number;
  /** Mixed into the first block's hash (e.g. the model name), so different models never share a chain. */
  seed?: string;
}
export interface PrefixHashesOutput {
  /** Token count of the whole input. */
  tokens: number;
  blockSize: number;
  /** hashes[i] = sha256(hashes[i-1] ‖ block i as uint32 LE), hex; hashes[-1] = sha256(seed). */
  hashes: string[];
  encoding: string;
}

/** Regular expressions (source and flags; `g` is added) to find in texts. */
export interface RegexSpansInput {
  patterns: Array<{ source: string; flags: string }>;
  texts: string[];
}
export interface RegexSpansOutput {
  /** spans[pattern][text] = [start, end, start, end, …] in UTF-16 code units, at most 4096 matches each. */
  spans: number[][][];
}

/** What the worker entry returns: errors travel as data because worker errors lose their `code` when cloned. */
export type TaskResult<T> = { ok: true; value: T } | { ok: false; code: string; message: string };

export interface TaskRequest {
  task: string;
  input: unknown;
}
