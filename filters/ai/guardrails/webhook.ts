// The webhook check: POSTs Portkey's guardrail webhook request shape ({request: {json, text}, response: {json, text},
// eventType, requestType, metadata}) and reads its answer ({verdict: boolean, data?, transformedData?: {request:
// {json}, response: {json}}}). A timeout, a non-2xx status or an answer without a boolean verdict is an error, which
// the caller resolves by the check's fail mode.
import type { Rule } from './compile.js';

export interface WebhookCall {
  readonly eventType: 'beforeRequestHook' | 'afterRequestHook';
  readonly requestType: string;
  readonly request: { json: unknown; text: string; isStreamingRequest: boolean };
  readonly response?: { json: unknown; text: string; statusCode: number };
  readonly metadata: Record<string, string>;
}

export interface WebhookVerdict {
  readonly verdict: boolean;
  /** transformedData.request.json / response.json, when the webhook rewrote the text. */
  readonly transformed?: unknown;
}

export class WebhookFailed extends Error {
  constructor(
    readonly reason: 'timeout' | 'error',
    message: string,
    cause?: unknown,
  ) {
    super(message, { cause });
  }
}

/** Answers bigger than this are not read (a verdict is a few bytes; a transformed body is bounded like a request). */
const MAX_ANSWER_BYTES = 8 * 1024 * 1024;

export async function callWebhook(rule: Rule, call: WebhookCall, signal?: AbortSignal): Promise<WebhookVerdict> {
  const hook = rule.webhook!;
  const timeout = AbortSignal.timeout(hook.timeoutMs);
  const sig = signal === undefined ? timeout : AbortSignal.any([timeout, signal]);
  let res: Response;
  let text: string;
  try {
    res = await fetch(hook.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...hook.headers },
      body: JSON.stringify({ ...call, response: call.response ?? { json: null, text: '', statusCode: null } }),
      signal: sig,
      redirect: 'manual',
    });
    const len = Number(res.headers.get('content-length') ?? 0);
    if (len > MAX_ANSWER_BYTES) throw new WebhookFailed('error', `webhook answer of ${len} bytes is too large`);
    text = await res.text();
  } catch (err) {
    if (err instanceof WebhookFailed) throw err;
    if (timeout.aborted) throw new WebhookFailed('timeout', `webhook gave no verdict within ${hook.timeoutMs} ms`, err);
    throw new WebhookFailed('error', `webhook unreachable: ${(err as Error)?.message ?? String(err)}`, err);
  }
  if (res.status < 200 || res.status >= 300) throw new WebhookFailed('error', `webhook answered HTTP ${res.status}`);
  let answer: unknown;
  try {
    answer = JSON.parse(text);
  } catch {
    throw new WebhookFailed('error', 'webhook answer is not JSON');
  }
  const a = answer as { verdict?: unknown; transformedData?: { request?: { json?: unknown }; response?: { json?: unknown } } };
  if (typeof a?.verdict !== 'boolean') throw new WebhookFailed('error', 'webhook answer has no boolean verdict');
  const td = call.eventType === 'beforeRequestHook' ? a.transformedData?.request?.json : a.transformedData?.response?.json;
  return td !== undefined && td !== null && typeof td === 'object' ? { verdict: a.verdict, transformed: td } : { verdict: a.verdict };
}
