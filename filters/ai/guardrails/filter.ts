// dgp.filter.ai.guardrails' per-generation instance: decode runs the input checks (a block answers 400
// content_filter in the client's API shape, a redaction rewrites the body the proxy sends), encode runs the output
// checks on the committed answer (unary, or a stream through the hold-back window) and names warned rules in a header.
import { Continue, type HookResult, type HttpFilter, type RequestContext, type WorkerPoolApi } from '../../../core/index.js';
import { LlmGuardrailVerdicts, clientApiOf, clientRouteOf, renderLlmLocalReply, renderLlmStreamError, type WireApi } from '../../../core/llm/index.js';
import type { CompiledConfig } from './compile.js';
import { promptBlocked } from './errors.js';
import { checkInput, type Refusal } from './input.js';
import type { GuardrailMetrics } from './metrics.js';
import { guardOutput, keyAlias, type OutputDeps } from './output.js';
import { GuardState, GuardStateKey } from './state.js';

export const WARN_HEADER = 'x-dgp-guardrail-warn';

export class GuardrailsFilter implements HttpFilter {
  readonly renderLocalReply = renderLlmLocalReply;
  readonly renderStreamError = renderLlmStreamError;
  readonly #deps: OutputDeps;

  constructor(
    private readonly cfg: CompiledConfig,
    private readonly pool: WorkerPoolApi,
    private readonly metrics: GuardrailMetrics,
    codecs: ReadonlyMap<string, unknown>,
  ) {
    this.#deps = { cfg, pool, metrics, codecs };
  }

  decode(ctx: RequestContext): HookResult | Promise<HookResult> {
    const api = clientApiOf(ctx);
    if (api === 'unknown') return Continue;
    const st = new GuardState();
    ctx.set(GuardStateKey, st);
    ctx.set(LlmGuardrailVerdicts, st.verdicts);
    // The answer must reach the output checks readable: the proxy forwards this header on a same-API pass-through.
    if (this.cfg.output.length > 0) ctx.request.headers['accept-encoding'] = 'identity';
    return this.cfg.input.length === 0 ? Continue : this.#input(ctx, api, st);
  }

  #input(ctx: RequestContext, api: WireApi, st: GuardState): HookResult | Promise<HookResult> {
    const streaming = clientRouteOf(ctx).operation === 'streamGenerateContent';
    const r = checkInput(ctx, api, this.cfg.input, { pool: this.pool, metrics: this.metrics, streaming }, st);
    return r instanceof Promise ? r.then((refusal) => this.#inputDone(ctx, st, refusal)) : this.#inputDone(ctx, st, r);
  }

  #inputDone(ctx: RequestContext, st: GuardState, refusal: Refusal | undefined): HookResult {
    for (const v of st.verdicts) ctx.log.info({ rule: v.rule, check: v.check, stage: 'input', action: v.action, count: v.count, key: keyAlias(ctx) }, `guardrail ${v.rule}: ${v.action} on the prompt`);
    if (refusal === undefined) return Continue;
    const why = refusal.undecided ? `could not be checked by guardrail '${refusal.rule.name}'` : `was blocked by guardrail '${refusal.rule.name}'`;
    return ctx.replyError(
      promptBlocked(`The request ${why}.`, {
        details: { openai_type: 'invalid_request_error', openai_code: 'content_filter', rule: refusal.rule.name },
      }),
    );
  }

  encode(ctx: RequestContext): void | Promise<void> {
    const st = ctx.get(GuardStateKey);
    if (st === undefined) return;
    if (this.cfg.output.length === 0) return this.#warnHeader(ctx, st);
    const r = guardOutput(ctx, this.#deps, st);
    return r === undefined ? this.#warnHeader(ctx, st) : r.then(() => this.#warnHeader(ctx, st));
  }

  /** Warned rules, on answers whose head has not gone out yet (a streamed answer's later warns are logged only). */
  #warnHeader(ctx: RequestContext, st: GuardState): void {
    const warned = st.warned();
    if (this.cfg.warnHeader && warned.length > 0) ctx.response.headers[WARN_HEADER] = warned.join(', ');
  }
}
