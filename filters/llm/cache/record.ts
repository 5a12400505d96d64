// The stored answer: one protocol-neutral record in pivot terms (per choice: text, reasoning, refusal, tool calls,
// finish reason; the usage; the model), built from the LLM exchange's response items, whatever API the upstream or
// the client spoke. Only complete, successful answers become records: no error item, a finish reason the config
// accepts on every choice, nothing cut.
import type { FinishReason, LlmUsage, ResponseItem } from '../../../core/llm/index.js';

export const RECORD_VERSION = 1;

export interface RecordedToolCall {
  id: string;
  name: string;
  arguments: string;
}

export interface RecordedChoice {
  text: string;
  reasoning: string;
  refusal: string;
  tool_calls: RecordedToolCall[];
  finish: FinishReason;
}

export interface CacheRecord {
  v: number;
  /** Date.now() when stored: a hit's Age and max-age are measured from it. */
  stored_at: number;
  ttl_ms: number;
  /** The model the client that caused the entry asked for, and the one it was told. */
  client_model: string;
  model: string;
  /** Where the answer came from, to price what a hit saves: the endpoint's provider. */
  provider?: string;
  /** The model sent upstream, and the one the upstream's answer named (a dated snapshot the book may not know). */
  upstream_model?: string;
  response_model?: string;
  choices: RecordedChoice[];
  usage: LlmUsage | null;
  /** The last user turn and its vector (semantic layer only). */
  question?: string;
}

interface Draft {
  text: string;
  reasoning: string;
  refusal: string;
  tools: Map<number, RecordedToolCall>;
  finish: FinishReason | undefined;
}

/** Collects a response's items as they come (up to `maxChars` of content); `choices` says whether they make a storable answer. */
export class RecordBuilder {
  readonly #choices = new Map<number, Draft>();
  #failed = false;
  /** Characters collected so far; past the entry limit the answer cannot be stored, so nothing more is kept. */
  #size = 0;

  constructor(private readonly maxChars: number) {}

  readonly onItem = (item: ResponseItem): void => {
    if (this.#failed) return;
    if (item.type === 'error') {
      this.#failed = true;
      return;
    }
    if (item.type !== 'finish') {
      this.#size += item.type === 'tool_call' ? item.arguments.length + (item.name?.length ?? 0) : item.text.length;
      if (this.#size > this.maxChars) {
        this.#failed = true;
        this.#choices.clear();
        return;
      }
    }
    const d = this.#draft(item.choice);
    if (item.type === 'text') d.text += item.text;
    else if (item.type === 'reasoning') d.reasoning += item.text;
    else if (item.type === 'refusal') d.refusal += item.text;
    else if (item.type === 'finish') d.finish = item.reason;
    else {
      const t = d.tools.get(item.index) ?? { id: '', name: '', arguments: '' };
      if (item.id !== undefined && t.id === '') t.id = item.id;
      if (item.name !== undefined) t.name += item.name;
      t.arguments += item.arguments;
      d.tools.set(item.index, t);
    }
  };

  get failed(): boolean {
    return this.#failed;
  }

  /** The choices when every one finished with an accepted reason; undefined otherwise. */
  choices(accepted: ReadonlySet<string>): RecordedChoice[] | undefined {
    if (this.#failed || this.#choices.size === 0) return undefined;
    const out: RecordedChoice[] = [];
    const indexes = [...this.#choices.keys()].sort((a, b) => a - b);
    if (indexes[0] !== 0 || indexes.at(-1) !== indexes.length - 1) return undefined;
    for (const i of indexes) {
      const d = this.#choices.get(i)!;
      if (d.finish === undefined || !accepted.has(d.finish)) return undefined;
      const tool_calls = [...d.tools.entries()].sort((a, b) => a[0] - b[0]).map(([, t]) => t);
      out.push({ text: d.text, reasoning: d.reasoning, refusal: d.refusal, tool_calls, finish: d.finish });
    }
    return out;
  }

  #draft(choice: number): Draft {
    let d = this.#choices.get(choice);
    if (d === undefined) this.#choices.set(choice, (d = { text: '', reasoning: '', refusal: '', tools: new Map(), finish: undefined }));
    return d;
  }
}

/** Parses a stored record; undefined for anything that is not one of this version (an old or foreign value). */
export function parseRecord(text: string): CacheRecord | undefined {
  try {
    const r = JSON.parse(text) as CacheRecord;
    return r !== null && typeof r === 'object' && r.v === RECORD_VERSION && Array.isArray(r.choices) ? r : undefined;
  } catch {
    return undefined;
  }
}
