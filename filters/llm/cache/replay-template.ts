// The word-sized text deltas of a replayed stream, encoded cheaply. An OpenAI client's encoder is stateless: every
// text delta of one choice is the same chunk but for its text, so the chunk is encoded once with a marker in place of
// the text and each word is spliced into that template (JSON-escaped exactly as the encoder would) — the same bytes
// without a chunk object and a JSON.stringify of it per word. The first piece is also encoded for real and compared;
// any difference turns the template off. Stateful encoders (Anthropic's event sequence, Gemini's) get every piece as
// a chunk through the encoder.
import type { StreamEncoder, StreamItem } from '../../../core/llm/index.js';

/** One word-sized text delta of a choice. */
export interface TextPiece {
  readonly type: 'piece';
  readonly index: number;
  readonly field: 'content' | 'reasoning_content';
  readonly text: string;
}

/** A text no answer contains, whose JSON spelling is found in the encoded template. */
const MARKER = '\u0001dgp-replay-piece\u0001';
const MARKER_JSON = JSON.stringify(MARKER);
const STATELESS_APIS: ReadonlySet<string> = new Set(['openai']);

type ChunkOf = (index: number, field: TextPiece['field'], text: string) => StreamItem;

/** Encodes pieces for `api`'s `encoder`; `chunkOf` builds the chunk a piece stands for. */
export function pieceWriter(api: string, encoder: StreamEncoder, chunkOf: ChunkOf): (p: TextPiece) => string {
  const direct = (p: TextPiece): string => encoder.write(chunkOf(p.index, p.field, p.text));
  if (!STATELESS_APIS.has(api)) return direct;
  const templates = new Map<string, { head: string; tail: string } | null>();
  return (p) => {
    const key = `${p.index}\u0000${p.field}`;
    let t = templates.get(key);
    if (t === undefined) {
      t = templateOf(encoder.write(chunkOf(p.index, p.field, MARKER)));
      const real = direct(p);
      if (t !== null && t.head + JSON.stringify(p.text) + t.tail !== real) t = null;
      templates.set(key, t);
      return real;
    }
    return t === null ? direct(p) : t.head + JSON.stringify(p.text) + t.tail;
  };
}

function templateOf(encoded: string): { head: string; tail: string } | null {
  const at = encoded.indexOf(MARKER_JSON);
  if (at < 0 || encoded.indexOf(MARKER_JSON, at + 1) >= 0) return null;
  return { head: encoded.slice(0, at), tail: encoded.slice(at + MARKER_JSON.length) };
}
