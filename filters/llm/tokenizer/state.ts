// Per-request state of dgp.filter.llm.tokenizer, kept on the RequestContext (never in the factory's closure).
import { defineAttribute } from '../../../core/index.js';
import type { CompletionCounter } from './estimate.js';
import type { RequestFacts } from './request-facts.js';
import type { StreamObserver } from './stream-observer.js';
import type { UsageTracker } from './usage.js';

export interface TokenizerState {
  facts: RequestFacts;
  tracker: UsageTracker;
  /** Collects completion text until usage shows up; undefined when estimation is off. */
  counter: CompletionCounter | undefined;
  /** Set in encode for a streamed body, or for a unary body being parsed in the background. */
  observer: StreamObserver | undefined;
  /** Background parse of a unary body, awaited in onComplete. */
  unaryParse: Promise<unknown> | undefined;
  /** The response is an event stream. */
  sse: boolean;
  encodeAt: number | undefined;
  firstDataAt: number | undefined;
  streamEndAt: number | undefined;
  reported: boolean;
}

export const TokenizerStateKey = defineAttribute<TokenizerState>('dgp.filter.llm.tokenizer/state');
