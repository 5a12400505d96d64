// Wires the output checks onto a committed answer in encode: the client API's codec reads the answer the client is
// about to get (translated or passed through, from the upstream or the cache), a unary body is checked whole and
// replaced when a rule changed it, a streamed body is wrapped in the hold-back transformer.
import type { RequestContext, WorkerPoolApi } from '../../../core/index.js';
import { clientRouteOf, defaultCodecContext, LlmExchangeKey, PrincipalAttr, wantsGeminiSse, type CodecContext, type ProviderCodec, type ProviderOperation, type WireApi } from '../../../core/llm/index.js';
import type { CompiledConfig, Rule } from './compile.js';
import type { Finding } from './detect/scan.js';
import { outputUnreadable } from './errors.js';
import type { GuardrailMetrics } from './metrics.js';
import { OutputChecker } from './output-text.js';
import { GuardedStream } from './output-stream.js';
import { checkUnary, type UnaryResult } from './output-unary.js';
import type { GuardState, Verdict } from './state.js';

export interface OutputDeps {
  readonly cfg: CompiledConfig;
  readonly pool: WorkerPoolApi;
  readonly metrics: GuardrailMetrics;
  readonly codecs: ReadonlyMap<string, unknown>;
}

const CHAT_OPS = new Set(['chat', 'messages', 'generateContent', 'streamGenerateContent']);

function codecOf(codecs: ReadonlyMap<string, unknown>, api: WireApi): ProviderCodec | undefined {
  const c = codecs.get(`dgp.adapter.provider.${api}`) as ProviderCodec | undefined;
  return c?.client === undefined ? undefined : c;
}

/**
 * Applies the output rules to ctx.response; may replace its body (or answer 502 when it cannot be read). Synchronous
 * for a unary answer already in memory whose texts are scanned inline, with the request's JSON already parsed.
 */
export function guardOutput(ctx: RequestContext, deps: OutputDeps, st: GuardState): void | Promise<void> {
  const res = ctx.response;
  const { api, operation } = clientRouteOf(ctx);
  if (res.status < 200 || res.status >= 300 || res.body === undefined || api === 'unknown' || operation === undefined || !CHAT_OPS.has(operation)) return;
  const codec = codecOf(deps.codecs, api);
  const encoding = res.headers['content-encoding'];
  if (codec === undefined || (encoding !== undefined && encoding !== 'identity')) {
    ctx.replyError(outputUnreadable(codec === undefined ? `no ${api} codec is loaded to read the answer` : `the answer is ${String(encoding)}-encoded`));
    return;
  }
  const parsed = ctx.request.jsonIfParsed?.();
  if (parsed !== undefined) return guardAnswer(ctx, deps, st, api, operation, codec, parsed.value);
  return ctx.request.json<unknown>().then(
    (body) => guardAnswer(ctx, deps, st, api, operation, codec, body),
    () => guardAnswer(ctx, deps, st, api, operation, codec, undefined),
  );
}

function guardAnswer(ctx: RequestContext, deps: OutputDeps, st: GuardState, api: WireApi, operation: ProviderOperation, codec: ProviderCodec, body: unknown): void | Promise<void> {
  const res = ctx.response;
  const answer = res.body!;
  const { method, path, query, headers } = ctx.request;
  let info: { model: string; stream: boolean; includeUsage: boolean };
  try {
    info = codec.client!.inspect({ operation, method, path, query, headers, body });
  } catch {
    // The request was answered 2xx, so it was good enough for the upstream; read the answer with neutral facts.
    info = { model: '', stream: !Buffer.isBuffer(res.body), includeUsage: false };
  }
  const base = defaultCodecContext({ log: { debug: (o, m) => ctx.log.debug(o, m), warn: (o, m) => ctx.log.warn(o, m) }, provider: api, model: info.model, stream: info.stream, includeUsage: info.includeUsage, query, settings: codec.settings });
  const reported = ctx.get(LlmExchangeKey)?.reportedModel() ?? info.model;
  const cx: CodecContext = { ...base, models: { client: info.model, upstream: info.model, reported } };
  type Mutable = { -readonly [K in keyof Verdict]: Verdict[K] };
  const fired = new Map<string, Mutable>();
  const decide = (rule: Rule, action: Verdict['action']): void => {
    const seen = fired.get(rule.name);
    if (seen !== undefined) {
      seen.count++;
      return;
    }
    const v: Mutable = { rule: rule.name, check: rule.check, stage: 'output', action, count: 1 };
    fired.set(rule.name, v);
    st.verdicts.push(v);
    deps.metrics.decisions.inc({ rule: rule.name, check: rule.check, stage: 'output', action });
    ctx.log.info({ rule: rule.name, check: rule.check, stage: 'output', action, key: keyAlias(ctx) }, `guardrail ${rule.name}: ${action} on the answer`);
  };
  const checker = new OutputChecker({
    rules: deps.cfg.output,
    holdback: deps.cfg.holdback,
    maxHold: deps.cfg.maxHold,
    pool: deps.pool,
    events: {
      fired(rule: Rule, f: Finding) {
        deps.metrics.findings.inc({ rule: rule.name, entity: f.detector.entity, stage: 'output' });
        if (rule.action !== 'block') decide(rule, rule.action);
      },
      undecided(rule: Rule, reason: string, err: unknown) {
        deps.metrics.errors.inc({ rule: rule.name, check: rule.check, stage: 'output', reason, fail: rule.fail });
        ctx.log.warn({ rule: rule.name, reason, fail: rule.fail, err }, `guardrail ${rule.name} could not decide on the answer; fail ${rule.fail}`);
        return rule.fail === 'closed';
      },
    },
    webhookCall: (text) => ({
      eventType: 'afterRequestHook',
      requestType: api === 'openai' ? 'chatComplete' : api === 'anthropic' ? 'messages' : 'generateContent',
      request: { json: body ?? null, text: '', isStreamingRequest: info.stream },
      response: { json: null, text, statusCode: res.status },
      metadata: { route: ctx.route.id ?? '' },
    }),
  });
  const unary = (raw: Buffer): void | Promise<void> => {
    const r = checkUnary(raw, codec, cx, checker, deps.cfg.refusal);
    const apply = (x: UnaryResult | 'unreadable'): void => {
      if (x === 'unreadable') {
        ctx.replyError(outputUnreadable(`the answer is not a ${api} response`));
        return;
      }
      if (x.block) decide(x.block, 'block');
      if (x.body !== undefined) {
        res.body = x.body;
        delete res.headers['content-length'];
      }
    };
    return r instanceof Promise ? r.then(apply) : apply(r);
  };
  if (Buffer.isBuffer(answer)) return unary(answer);
  const contentType = String(res.headers['content-type'] ?? '');
  const streamed = contentType.includes('text/event-stream') || (operation === 'streamGenerateContent' && !contentType.includes('event-stream'));
  if (!streamed) {
    // A unary answer passed through as it arrives: read whole (bounded) to be checked whole.
    return collect(answer, deps.cfg.maxHold * 4).then((whole) => {
      if (whole === undefined) {
        ctx.replyError(outputUnreadable(`the answer exceeds ${deps.cfg.maxHold * 4} bytes, the most the output checks read`));
        return;
      }
      res.body = whole;
      return unary(whole);
    });
  }
  const jsonArray = api === 'gemini' && !wantsGeminiSse(query);
  delete res.headers['content-length'];
  res.body = new GuardedStream(answer, {
    decoder: codec.upstream.createDecoder(cx),
    encoder: codec.client!.createEncoder(cx),
    checker,
    jsonArray,
    maxArrayBytes: deps.cfg.maxHold * 4,
    onBlock: (rule) => decide(rule, 'block'),
  });
}

async function collect(body: AsyncIterable<Buffer>, limit: number): Promise<Buffer | undefined> {
  const parts: Buffer[] = [];
  let size = 0;
  const it = body[Symbol.asyncIterator]();
  for (let r = await it.next(); !r.done; r = await it.next()) {
    size += r.value.length;
    if (size > limit) {
      await it.return?.();
      return undefined;
    }
    parts.push(r.value);
  }
  return Buffer.concat(parts);
}

/** The caller's key alias for the log, never the key. */
export function keyAlias(ctx: RequestContext): string | undefined {
  const p = ctx.get(PrincipalAttr);
  return p === undefined ? undefined : (p.alias ?? p.key_id);
}
