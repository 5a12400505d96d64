// dgp.filter.llm.keys's per-generation instance: decode takes the client's key off the request, resolves it to a
// principal, refuses what the key may not do (401 / 403 in the client's API shape) and publishes the principal for
// the filters after it. The client's key never reaches the proxy, so it can never travel upstream.
import {
  addAccessLogFields,
  AdmissionPriority,
  Continue,
  RequestModel,
  isDgpError,
  type ClusterManagerApi,
  type HookResult,
  type HttpFilter,
  type RequestContext,
} from '../../../core/index.js';
import { PrincipalAttr, renderLlmStreamError, type Principal } from '../../../core/llm/index.js';
import { renderKeysLocalReply } from './budget/exceeded.js';
import { presentedKey, stripCredentials } from './credentials.js';
import { endpointKeyMissing, keyBlocked, keyExpired, keyInvalid, keyMissing, modelNotAllowed, routeNotAllowed } from './errors.js';
import { withRequestFacts, type RequestFacts } from './request-facts.js';
import type { KeyResolver, Resolved } from './resolver.js';
import type { KeysConfig } from './schema.js';
import { fallbackHeader } from './spend/fallback.js';
import type { Spend } from './spend/setup.js';
import type { BudgetSubjects, Groups, Subjects } from './spend/subjects.js';
import { groupRatesOf } from './limits.js';

/** A key's last published principal, with what it was built from. */
interface Published {
  endUser: string | null;
  team: Groups['team'];
  user: Groups['user'];
  principal: Readonly<Principal>;
  subjects: Subjects;
}

const hasServerKey = (ep: { llmMeta?: { api_key?: string } | undefined }): boolean => (ep.llmMeta?.api_key ?? '') !== '';

export class KeysFilter implements HttpFilter {
  /** Local replies on this listener come out in the client's API shape, with or without the proxy in the chain. */
  readonly renderLocalReply = renderKeysLocalReply;
  readonly renderStreamError = renderLlmStreamError;
  /** x-dgp-budget-fallback on an answer served by on_exhaust.fallback_model; with cost_header, x-dgp-cost-usd too. */
  readonly encode: (ctx: RequestContext) => void;
  readonly #published = new WeakMap<Readonly<Principal>, Published>();

  constructor(
    private readonly cfg: Readonly<KeysConfig>,
    private readonly resolver: KeyResolver,
    private readonly clusters: ClusterManagerApi,
    private readonly spend: Spend,
  ) {
    this.encode = cfg.cost_header
      ? (ctx) => (fallbackHeader(ctx), spend.guard.costHeader(ctx))
      : fallbackHeader;
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
    return withRequestFacts(ctx, this.cfg.end_user_header, (f) => this.#publish(ctx, r, f));
  }

  #publish(ctx: RequestContext, r: Resolved, facts: RequestFacts): HookResult | Promise<HookResult> {
    const p = r.principal;
    if (facts.model !== undefined && !r.allowsModel(facts.model)) {
      return ctx.replyError(modelNotAllowed(`model ${JSON.stringify(facts.model)} is not allowed for key ${p.alias ?? p.key_id}`));
    }
    let groups: ReturnType<BudgetSubjects['records']>;
    try {
      groups = this.spend.subjects.records(p);
    } catch (err) {
      return this.#groupsFailed(ctx, r, facts, err);
    }
    if (!(groups instanceof Promise)) return this.#withGroups(ctx, r, facts, groups);
    return groups.then(
      (g) => this.#withGroups(ctx, r, facts, g),
      (err: unknown) => this.#groupsFailed(ctx, r, facts, err),
    );
  }

  /** The key store cannot say whether the team or user is blocked, nor their budgets: fail_mode decides. */
  #groupsFailed(ctx: RequestContext, r: Resolved, facts: RequestFacts, err: unknown): HookResult | Promise<HookResult> {
    if (this.cfg.budgets.fail_mode !== 'open' || !isDgpError(err) || err.status !== 503) return this.#failed(ctx, err);
    ctx.log.warn({ code: err.code, err: err.message }, 'keys: team and user unknown (key store unreachable); fail_mode open: only the key and end-user budgets apply');
    return this.#withGroups(ctx, r, facts, { team: undefined, user: undefined });
  }

  #withGroups(ctx: RequestContext, r: Resolved, facts: RequestFacts, g: Groups): HookResult | Promise<HookResult> {
    const p = r.principal;
    // A blocked team or user refuses every key it has, as a blocked key does.
    if (g.team?.blocked === true) return ctx.replyError(keyBlocked(`team ${g.team.id} of key ${p.alias ?? p.key_id} is blocked`));
    if (g.user?.blocked === true) return ctx.replyError(keyBlocked(`user ${g.user.id} of key ${p.alias ?? p.key_id} is blocked`));
    const { principal, subjects } = this.#principalFor(p, facts.endUser ?? null, g);
    ctx.set(PrincipalAttr, principal);
    if (p.priority !== undefined) ctx.set(AdmissionPriority, p.priority);
    if (facts.model !== undefined && ctx.get(RequestModel) === undefined) ctx.set(RequestModel, facts.model);
    const fields: Record<string, unknown> = { key_id: p.key_id, key_alias: p.alias, team: p.team };
    if (facts.endUser !== undefined) fields.end_user = facts.endUser;
    addAccessLogFields(ctx, fields);
    return this.spend.guard.admit(ctx, principal, facts.model, subjects, facts.body);
  }

  /**
   * The principal published for a request: the key's, with the end user and the team's and user's rates, and its
   * budget subjects. The last one built for a key is reused while its end user and group records are the same
   * objects, so most requests build none.
   */
  #principalFor(p: Readonly<Principal>, endUser: string | null, g: Groups): Published {
    const last = this.#published.get(p);
    if (last !== undefined && last.endUser === endUser && last.team === g.team && last.user === g.user) return last;
    const team_limits = groupRatesOf(g.team);
    const user_limits = groupRatesOf(g.user);
    const principal: Readonly<Principal> = Object.freeze({
      ...p,
      end_user: endUser,
      ...(team_limits === undefined ? {} : { team_limits }),
      ...(user_limits === undefined ? {} : { user_limits }),
    });
    const published: Published = { endUser, team: g.team, user: g.user, principal, subjects: this.spend.subjects.fromRecords(principal, g) };
    this.#published.set(p, published);
    return published;
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
