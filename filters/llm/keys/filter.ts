// dgp.filter.llm.keys's per-generation instance: decode takes the client's key off the request, resolves it to a
// principal, refuses what the key may not do (401 / 403 in the client's API shape) and publishes the principal for
// the filters after it. The client's key never reaches the proxy, so it can never travel upstream.
import {
  AccessLogFields,
  AdmissionPriority,
  Continue,
  RequestModel,
  isDgpError,
  type ClusterManagerApi,
  type HookResult,
  type HttpFilter,
  type RequestContext,
} from '../../../core/index.js';
import { PrincipalAttr, renderLlmStreamError } from '../../../core/llm/index.js';
import { renderKeysLocalReply } from './budget/exceeded.js';
import { presentedKey, stripCredentials } from './credentials.js';
import { endpointKeyMissing, keyBlocked, keyExpired, keyInvalid, keyMissing, modelNotAllowed, routeNotAllowed } from './errors.js';
import { readRequestFacts, type RequestFacts } from './request-facts.js';
import type { KeyResolver, Resolved } from './resolver.js';
import type { KeysConfig } from './schema.js';
import type { Spend } from './spend/setup.js';

const hasServerKey = (ep: { llmMeta?: { api_key?: string } | undefined }): boolean => (ep.llmMeta?.api_key ?? '') !== '';

export class KeysFilter implements HttpFilter {
  /** Local replies on this listener come out in the client's API shape, with or without the proxy in the chain. */
  readonly renderLocalReply = renderKeysLocalReply;
  readonly renderStreamError = renderLlmStreamError;
  /** cost_header: a unary answer's cost goes out as x-dgp-cost-usd (absent otherwise: no encode hook at all). */
  readonly encode: ((ctx: RequestContext) => void) | undefined;

  constructor(
    private readonly cfg: Readonly<KeysConfig>,
    private readonly resolver: KeyResolver,
    private readonly clusters: ClusterManagerApi,
    private readonly spend: Spend,
  ) {
    this.encode = cfg.cost_header ? (ctx) => spend.guard.costHeader(ctx) : undefined;
  }

  decode(ctx: RequestContext): HookResult | Promise<HookResult> {
    // Bring-your-own-key pass-through: no server-side key to protect, the client's credentials go upstream as sent.
    if (this.cfg.require_key === 'when_endpoint_key' && !this.clusters.endpoints(ctx.route.cluster).some(hasServerKey)) return Continue;
    const presented = presentedKey(ctx);
    stripCredentials(ctx);
    if (presented === undefined) {
      return ctx.replyError(keyMissing('no client key: send it as Authorization: Bearer <key>, x-api-key or x-goog-api-key'));
    }
    let resolved: ReturnType<KeyResolver['resolve']>;
    try {
      resolved = this.resolver.resolve(presented);
    } catch (err) {
      return this.#failed(ctx, err);
    }
    if (resolved instanceof Promise) {
      return resolved.then(
        (r) => this.#admit(ctx, r),
        (err: unknown) => this.#failed(ctx, err),
      );
    }
    return this.#admit(ctx, resolved);
  }

  #admit(ctx: RequestContext, r: Resolved | undefined): HookResult | Promise<HookResult> {
    if (r === undefined) return ctx.replyError(keyInvalid('the client key is not valid for this gateway'));
    const p = r.principal;
    const who = p.alias ?? p.key_id;
    if (p.blocked) return ctx.replyError(keyBlocked(`key ${who} is blocked`));
    if (p.expires_at !== null && p.expires_at <= Date.now()) return ctx.replyError(keyExpired(`key ${who} expired at ${new Date(p.expires_at).toISOString()}`));
    if (p.routes.length > 0 && !p.routes.includes(ctx.route.id)) {
      return ctx.replyError(routeNotAllowed(`key ${who} may not call route ${ctx.route.id}`));
    }
    if (!this.cfg.allow_keyless_endpoints) {
      const keyless = this.clusters.endpoints(ctx.route.cluster).find((ep) => !hasServerKey(ep));
      if (keyless !== undefined) {
        return ctx.replyError(
          endpointKeyMissing(`endpoint ${keyless.id} of cluster ${ctx.route.cluster} has no llm_meta.api_key, and the client's key is never forwarded`),
        );
      }
    }
    const facts = readRequestFacts(ctx, this.cfg.end_user_header);
    return facts instanceof Promise ? facts.then((f) => this.#publish(ctx, r, f)) : this.#publish(ctx, r, facts);
  }

  #publish(ctx: RequestContext, r: Resolved, facts: RequestFacts): HookResult | Promise<HookResult> {
    const p = r.principal;
    if (facts.model !== undefined && !r.allowsModel(facts.model)) {
      return ctx.replyError(modelNotAllowed(`model ${JSON.stringify(facts.model)} is not allowed for key ${p.alias ?? p.key_id}`));
    }
    const principal = Object.freeze({ ...p, end_user: facts.endUser ?? null });
    ctx.set(PrincipalAttr, principal);
    if (p.priority !== undefined) ctx.set(AdmissionPriority, p.priority);
    if (facts.model !== undefined && ctx.get(RequestModel) === undefined) ctx.set(RequestModel, facts.model);
    const fields: Record<string, unknown> = { key_id: p.key_id, key_alias: p.alias, team: p.team };
    if (facts.endUser !== undefined) fields.end_user = facts.endUser;
    ctx.set(AccessLogFields, { ...ctx.get(AccessLogFields), ...fields });
    return this.spend.guard.admit(ctx, principal, facts.model);
  }

  /** The request is charged, its budget hold settled and its ledger row queued, whatever way it ended. */
  onComplete(ctx: RequestContext): void | Promise<void> {
    return this.spend.guard.complete(ctx);
  }

  /** The generation is retired (or the gateway stops): the queued ledger rows are written. */
  close(): Promise<void> {
    return this.spend.close();
  }

  #failed(ctx: RequestContext, err: unknown): HookResult {
    // JWT failures (401), an unreachable JWKS or key store (503): coded, answered in the client's shape.
    if (isDgpError(err)) return ctx.replyError(err);
    throw err;
  }
}
