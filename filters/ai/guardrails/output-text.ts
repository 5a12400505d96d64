// The output side's per-answer checker, independent of the wire: one hold-back window per choice and channel
// (content, reasoning), tool-call arguments held whole until their choice finishes, and — when a webhook checks the
// output — the whole text held (bounded) for its verdict. Used by the stream transformer and the unary path alike.
import type { WorkerPoolApi } from '../../../core/index.js';
import type { Rule } from './compile.js';
import { inlineable, redactText, resolveOverlaps, scan, scanInline, ScanFailed, type Finding } from './detect/scan.js';
import { HoldBackWindow, type Step, type WindowEvents } from './holdback.js';
import { callWebhook, WebhookFailed, type WebhookCall } from './webhook.js';

export interface HeldToolCall {
  index: number;
  id?: string;
  name: string;
  arguments: string;
}

export interface CheckerOptions {
  readonly rules: readonly Rule[];
  readonly holdback: number;
  readonly maxHold: number;
  readonly pool: WorkerPoolApi;
  readonly events: WindowEvents;
  /** Builds the webhook call for a choice's final text (afterRequestHook). */
  readonly webhookCall?: (text: string) => WebhookCall;
}

export type Channel = 'content' | 'reasoning';

/** A whole text after the regex rules: the rule that blocks it, or the text to release (masked where a rule redacts). */
export type Whole = { block?: Rule; text: string };

const BLOCK = Symbol('block');

export class OutputChecker {
  readonly #regex: Rule[];
  readonly #webhooks: Rule[];
  readonly #windows = new Map<string, HoldBackWindow>();
  readonly #tools = new Map<number, Map<number, HeldToolCall>>();
  /** The text each choice has released (for the webhook's verdict on the whole answer). */
  readonly #texts = new Map<number, string>();
  #toolChars = 0;

  constructor(private readonly o: CheckerOptions) {
    this.#regex = o.rules.filter((r) => r.check !== 'webhook');
    this.#webhooks = o.rules.filter((r) => r.check === 'webhook');
  }

  /** A webhook needs the whole text: nothing is released before the answer ends (up to maxHold). */
  get buffersAll(): boolean {
    return this.#webhooks.length > 0;
  }

  #window(choice: number, channel: Channel): HoldBackWindow {
    const key = `${choice}:${channel}`;
    let w = this.#windows.get(key);
    if (w === undefined) {
      const holdback = this.buffersAll ? this.o.maxHold : this.o.holdback;
      this.#windows.set(key, (w = new HoldBackWindow(this.#regex, holdback, this.o.maxHold, this.o.pool, this.o.events)));
    }
    return w;
  }

  push(choice: number, channel: Channel, text: string): Promise<Step> | Step {
    return this.#window(choice, channel).push(text);
  }

  /** A tool-call delta: held until its choice finishes. */
  holdTool(choice: number, index: number, id: string | undefined, name: string | undefined, args: string | undefined): Rule | undefined {
    let calls = this.#tools.get(choice);
    if (calls === undefined) this.#tools.set(choice, (calls = new Map()));
    const held = calls.get(index) ?? { index, name: '', arguments: '' };
    if (id !== undefined && held.id === undefined) held.id = id;
    if (name !== undefined) held.name += name;
    if (args !== undefined) held.arguments += args;
    this.#toolChars += (name?.length ?? 0) + (args?.length ?? 0);
    calls.set(index, held);
    // Arguments beyond the bound cannot be held for a check: the answer is blocked rather than passed unchecked.
    if (this.#toolChars > this.o.maxHold) return { ...this.o.rules[0]!, name: 'stream_max_hold', action: 'block' };
    return undefined;
  }

  /**
   * The choice finished: the rest of its channels and its tool calls, checked whole. Returns the text to release per
   * channel and the tool calls (arguments masked), or the rule that blocks.
   */
  async finish(choice: number): Promise<{ block?: Rule; content: string; reasoning: string; tools: HeldToolCall[] }> {
    const parts: Record<Channel, string> = { content: '', reasoning: '' };
    for (const channel of ['content', 'reasoning'] as const) {
      const w = this.#windows.get(`${choice}:${channel}`);
      if (w === undefined) continue;
      this.#windows.delete(`${choice}:${channel}`);
      const step = await w.end();
      if (step.block) return { block: step.block, content: '', reasoning: '', tools: [] };
      parts[channel] = step.release;
    }
    const tools = [...(this.#tools.get(choice)?.values() ?? [])].sort((a, b) => a.index - b.index);
    this.#tools.delete(choice);
    for (const t of tools) {
      const r = await this.checkWhole(t.arguments);
      if (r.block) return { block: r.block, content: '', reasoning: '', tools: [] };
      t.arguments = r.text;
    }
    if (this.#webhooks.length > 0) {
      const whole = (this.#texts.get(choice) ?? '') + parts.content + tools.map((t) => `\n${t.name}(${t.arguments})`).join('');
      const block = await this.#webhook(whole);
      if (block) return { block, content: '', reasoning: '', tools: [] };
    }
    return { content: parts.content, reasoning: parts.reasoning, tools };
  }

  /** Records text a choice released before its end (only a webhook's overflow case releases early). */
  released(choice: number, text: string): void {
    if (this.#webhooks.length > 0 && text !== '') this.#texts.set(choice, (this.#texts.get(choice) ?? '') + text);
  }

  /** Choices with held state (open windows or tool calls). */
  openChoices(): number[] {
    const set = new Set<number>(this.#tools.keys());
    for (const key of this.#windows.keys()) set.add(Number(key.slice(0, key.indexOf(':'))));
    return [...set].sort((a, b) => a - b);
  }

  /** Whether checkWhole(text) answers synchronously: every regex rule scans it inline. */
  inline(text: string): boolean {
    return this.#regex.every((r) => inlineable(r.detectors, text.length));
  }

  /**
   * A whole text (tool arguments, a unary answer) through the regex rules at once: synchronously when every rule
   * scans it inline (trusted detectors, a small text), else through the worker pool.
   */
  checkWhole(text: string): Whole | Promise<Whole> {
    if (text === '') return { text };
    if (!this.inline(text)) return this.#checkWholeAsync(text);
    let masked: Finding[] | undefined;
    for (const rule of this.#regex) {
      const found = scanInline(rule.detectors, [text]);
      const r = this.#found(rule, found);
      if (r === BLOCK) return { block: rule, text: '' };
      if (r !== undefined) masked = masked === undefined ? r : masked.concat(r);
    }
    return masked === undefined ? { text } : { text: redactText(text, resolveOverlaps(masked)) };
  }

  async #checkWholeAsync(text: string): Promise<Whole> {
    let masked: Finding[] | undefined;
    for (const rule of this.#regex) {
      let found: Finding[];
      try {
        found = await scan(this.o.pool, rule.detectors, [text], rule.budgetMs);
      } catch (err) {
        if (!(err instanceof ScanFailed)) throw err;
        if (this.o.events.undecided(rule, err.reason === 'timeout' ? 'timeout' : 'error', err)) return { block: rule, text: '' };
        continue;
      }
      const r = this.#found(rule, found);
      if (r === BLOCK) return { block: rule, text: '' };
      if (r !== undefined) masked = masked === undefined ? r : masked.concat(r);
    }
    return masked === undefined ? { text } : { text: redactText(text, resolveOverlaps(masked)) };
  }

  /** One rule's findings: BLOCK, the findings to mask (redact), or undefined (none, or warned only). */
  #found(rule: Rule, found: Finding[]): typeof BLOCK | Finding[] | undefined {
    if (found.length === 0) return undefined;
    if (rule.action === 'block') return BLOCK;
    for (const f of found) this.o.events.fired(rule, f);
    return rule.action === 'redact' ? found : undefined;
  }

  async #webhook(text: string): Promise<Rule | undefined> {
    for (const rule of this.#webhooks) {
      try {
        const v = await callWebhook(rule, this.o.webhookCall!(text));
        if (!v.verdict) {
          this.o.events.fired(rule, { text: 0, start: 0, end: 0, detector: { entity: 'webhook', label: '', pattern: { source: '', flags: '' }, trusted: true } });
          if (rule.action === 'block') return rule;
        }
      } catch (err) {
        if (this.o.events.undecided(rule, err instanceof WebhookFailed ? err.reason : 'error', err)) return rule;
      }
    }
    return undefined;
  }

  /** For the unary path: the webhook verdict on a whole answer. */
  webhookVerdict(text: string): Promise<Rule | undefined> {
    return this.#webhooks.length === 0 ? Promise.resolve(undefined) : this.#webhook(text);
  }
}
