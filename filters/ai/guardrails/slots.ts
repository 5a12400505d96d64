// The text slots of a client request in its own API's shape (OpenAI Chat / Completions / Embeddings, Anthropic
// Messages, Gemini generateContent): every string a model reads, with the role that wrote it and its turn. Input
// checks read these, and redaction writes them back in place, so the masked body is what the proxy sends upstream
// whatever the upstream's API (a translated request is built from the same body).
import type { WireApi } from '../../../core/llm/index.js';

export type Role = 'user' | 'system' | 'assistant' | 'tool';
export const ROLES: readonly Role[] = ['user', 'system', 'assistant', 'tool'];

export interface TextSlot {
  readonly role: Role;
  /** Index of the message in the conversation; -1 for the system prompt outside it. */
  readonly turn: number;
  text: string;
  /** Writes `text` back into the body. */
  write(): void;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
/** Tool payloads are walked this deep at most (a JSON bomb of nested objects is not read whole). */
const MAX_DEPTH = 12;

function slot(out: TextSlot[], role: Role, turn: number, holder: Obj | unknown[], key: string | number): void {
  const v = (holder as Record<string | number, unknown>)[key];
  if (typeof v !== 'string' || v === '') return;
  const s: TextSlot = { role, turn, text: v, write: () => void ((holder as Record<string | number, unknown>)[key] = s.text) };
  out.push(s);
}

/** Every string leaf of a tool payload (arguments objects, results). */
function leaves(out: TextSlot[], role: Role, turn: number, v: unknown, depth = 0): void {
  if (depth > MAX_DEPTH) return;
  if (Array.isArray(v)) v.forEach((x, i) => (typeof x === 'string' ? slot(out, role, turn, v, i) : leaves(out, role, turn, x, depth + 1)));
  else if (isObj(v)) for (const k of Object.keys(v)) typeof v[k] === 'string' ? slot(out, role, turn, v, k) : leaves(out, role, turn, v[k], depth + 1);
}

const OPENAI_ROLES: Record<string, Role> = { system: 'system', developer: 'system', user: 'user', assistant: 'assistant', tool: 'tool', function: 'tool' };

function openAiContent(out: TextSlot[], role: Role, turn: number, m: Obj): void {
  if (typeof m.content === 'string') slot(out, role, turn, m, 'content');
  else if (Array.isArray(m.content)) for (const part of m.content) if (isObj(part) && typeof part.text === 'string') slot(out, role, turn, part, 'text');
}

function openAiSlots(body: Obj, out: TextSlot[]): void {
  if (Array.isArray(body.messages)) {
    body.messages.forEach((m, turn) => {
      if (!isObj(m)) return;
      const role = OPENAI_ROLES[String(m.role)] ?? 'user';
      openAiContent(out, role, turn, m);
      if (Array.isArray(m.tool_calls)) for (const t of m.tool_calls) if (isObj(t) && isObj(t.function)) slot(out, role, turn, t.function, 'arguments');
    });
    return;
  }
  // Legacy completions and embeddings: the prompt or input is the user's.
  for (const key of ['prompt', 'input']) {
    const v = body[key];
    if (typeof v === 'string') slot(out, 'user', 0, body, key);
    else if (Array.isArray(v)) v.forEach((_, i) => slot(out, 'user', i, v, i));
  }
}

function anthropicBlocks(out: TextSlot[], role: Role, turn: number, holder: Obj, key: string): void {
  const v = holder[key];
  if (typeof v === 'string') return slot(out, role, turn, holder, key);
  if (!Array.isArray(v)) return;
  for (const b of v) {
    if (!isObj(b)) continue;
    if (b.type === 'text') slot(out, role, turn, b, 'text');
    else if (b.type === 'tool_use') leaves(out, role, turn, b.input);
    else if (b.type === 'tool_result') anthropicBlocks(out, 'tool', turn, b, 'content');
  }
}

function anthropicSlots(body: Obj, out: TextSlot[]): void {
  anthropicBlocks(out, 'system', -1, body, 'system');
  if (!Array.isArray(body.messages)) return;
  body.messages.forEach((m, turn) => {
    if (isObj(m)) anthropicBlocks(out, m.role === 'assistant' ? 'assistant' : 'user', turn, m, 'content');
  });
}

function geminiParts(out: TextSlot[], role: Role, turn: number, c: unknown): void {
  if (!isObj(c) || !Array.isArray(c.parts)) return;
  for (const part of c.parts) {
    if (!isObj(part)) continue;
    if (typeof part.text === 'string') slot(out, role, turn, part, 'text');
    if (isObj(part.functionCall)) leaves(out, role, turn, part.functionCall.args);
    if (isObj(part.functionResponse)) leaves(out, 'tool', turn, part.functionResponse.response);
  }
}

function geminiSlots(body: Obj, out: TextSlot[]): void {
  geminiParts(out, 'system', -1, body.systemInstruction ?? body.system_instruction);
  // embedContent's content and batchEmbedContents' requests[].content are the user's (one turn each).
  if (isObj(body.content)) geminiParts(out, 'user', 0, body.content);
  if (Array.isArray(body.requests)) body.requests.forEach((r, turn) => isObj(r) && geminiParts(out, 'user', turn, r.content));
  if (!Array.isArray(body.contents)) return;
  body.contents.forEach((c, turn) => geminiParts(out, isObj(c) && c.role === 'model' ? 'assistant' : 'user', turn, c));
}

/** The slots of a request body of `api`, in body order. */
export function requestSlots(api: WireApi, body: unknown): TextSlot[] {
  const out: TextSlot[] = [];
  if (!isObj(body)) return out;
  if (api === 'anthropic') anthropicSlots(body, out);
  else if (api === 'gemini') geminiSlots(body, out);
  else openAiSlots(body, out);
  return out;
}

/** The index of the last turn (the newest message), or -1 when there is none. */
export function lastTurn(slots: readonly TextSlot[]): number {
  let last = -1;
  for (const s of slots) if (s.turn > last) last = s.turn;
  return last;
}
