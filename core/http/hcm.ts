// dgp.filter.httpconnectionmanager: one per listener per generation. Matches the route (no route → 404, no filters
// run; a model route first reads the body and asks a filter's routeModel hook), builds the request context, runs the
// chain (chain-run.ts: decode, encode, the response, onComplete) and request-end.ts records it.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type { ErrorFormat, MatchedRoute, RequestInfo } from '../plugin-api.js';
import { RequestTraceAttr } from '../attributes.js';
import { DgpError, isDgpError } from '../errors.js';
import type { AdmissionControl } from '../admission/admission.js';
import type { FilterChain } from '../chain/chain.js';
import type { Audit } from '../observability/audit/service.js';
import type { Tracing } from '../observability/tracing/tracing.js';
import type { HostMetrics } from '../observability/metrics.js';
import { Context, Request } from './context.js';
import { LocalReplies } from './local-reply.js';
import { RequestEnds } from './request-end.js';
import { EMPTY_PARAMS, type CompiledRoute, type RouteMatch, type Router } from './router.js';
import { checkRequest } from './request-hygiene.js';
import { ChainRunner } from './chain-run.js';

export interface HcmOptions {
  listener: string;
  router: Router;
  chain: FilterChain;
  /** By route index: the chain of a route with per-route filter overrides; other routes run `chain`. */
  routeChains?: ReadonlyArray<FilterChain | undefined>;
  errorFormat: ErrorFormat;
  maxBodyBytes: number;
  /** ms, 0 = none: the connection manager `timeout`, bounding the time until the response head is ready. */
  timeout: number;
  /** ms, 0 = none: a client that reads nothing of a response for this long is cut (the listener idle_timeout). */
  writeIdleMs: number;
  generateRequestId: boolean;
  accessLog: boolean;
  log: Logger;
  metrics: HostMetrics;
  /** Lease counting: the generation is retired only once every request that started on it has finished. */
  acquire(): void;
  release(): void;
  /** True while the gateway drains: answers carry `Connection: close`. */
  draining(): boolean;
  /** The process's admission control: heap shedding here, the concurrency caps before the terminal filter. */
  admission?: AdmissionControl;
  /** The audit pipeline (top-level `audit:` with sinks): one record per request, written once it ended. */
  audit?: Audit;
  /** OpenTelemetry (top-level `tracing:` enabled): a SERVER span per sampled request. */
  tracing?: Tracing;
  /** The request's model for `match.model` routes: a filter's routeModel hook (plugin-api.ts). */
  routeModel?: (request: RequestInfo) => string | undefined | Promise<string | undefined>;
}

const REQUEST_ID = /^[\x21-\x7e]{1,128}$/;
const CONTEXT = Symbol('dgp.requestContext');
type ResponseWithContext = ServerResponse & { [CONTEXT]?: Context };

/** The client went away before the response was complete: the request is aborted (filters, upstream). */
function onResponseClose(this: ResponseWithContext): void {
  if (!this.writableEnded) this[CONTEXT]?.abort();
}

export class HttpConnectionManager {
  private readonly replies: LocalReplies;
  private readonly runner: ChainRunner;
  private readonly routes = new WeakMap<CompiledRoute, MatchedRoute>();
  private readonly ends: RequestEnds;

  constructor(private readonly o: HcmOptions) {
    this.replies = new LocalReplies(o.chain.slots, o.errorFormat, o.log);
    this.ends = new RequestEnds(o, this.replies);
    this.runner = new ChainRunner(o, this.replies, this.ends);
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    const startedAt = performance.now();
    const o = this.o;
    const incomingId = req.headers['x-request-id'];
    const id = typeof incomingId === 'string' && REQUEST_ID.test(incomingId) ? incomingId : randomUUID();
    // generate_request_id (Envoy's option of the same name): the upstream sees the id the access log and replies carry.
    if (o.generateRequestId && id !== incomingId) req.headers['x-request-id'] = id;
    const refused = checkRequest(req);
    if (refused) {
      res.shouldKeepAlive = false;
      const raw = req.url ?? '/';
      this.ends.localError(req, res, id, '/', raw.startsWith('/') ? raw.split('?')[0]! : '/', refused, startedAt, '-');
      return;
    }
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const method = req.method ?? 'GET';
    const match = o.router.match(method, path, req.headers);
    // A model route could take the request: its model decides (the body is read first; see Router.match).
    if (match?.route.model !== undefined && o.routeModel !== undefined) {
      void this.routeByModel(req, res, id, url, path, method, match, startedAt);
      return;
    }
    this.dispatch(req, res, id, url, path, method, match, startedAt, undefined);
  }

  private async routeByModel(req: IncomingMessage, res: ServerResponse, id: string, url: string, path: string, method: string, first: RouteMatch, startedAt: number): Promise<void> {
    const o = this.o;
    if (Number(req.headers['content-length']) > o.maxBodyBytes) return this.dispatch(req, res, id, url, path, method, first, startedAt, undefined);
    const request = new Request(req, o.maxBodyBytes);
    // The hook belongs to this generation's filters: held like a request until the chain takes over.
    o.acquire();
    try {
      const failed = await request.body().then(() => undefined, (err: unknown) => err);
      if (failed !== undefined) {
        res.shouldKeepAlive = false;
        const err = isDgpError(failed) ? failed : new DgpError('DGP_ERR_HTTP_BODY_READ', `request body could not be read: ${(failed as Error).message}`, { cause: failed });
        this.ends.localError(req, res, id, url, path, err, startedAt, first.route.id);
        return;
      }
      let model: string | undefined;
      try {
        model = await o.routeModel!(request);
      } catch (err) {
        o.log.error({ err, reqId: id }, 'the routeModel hook threw; routing as if the request named no model');
      }
      this.dispatch(req, res, id, url, path, method, o.router.match(method, path, req.headers, model), startedAt, request);
    } finally {
      o.release();
    }
  }

  private dispatch(
    req: IncomingMessage,
    res: ServerResponse,
    id: string,
    url: string,
    path: string,
    method: string,
    match: RouteMatch | undefined,
    startedAt: number,
    request: Request | undefined,
  ): void {
    const o = this.o;
    if (!match) {
      const err = new DgpError('DGP_ERR_HTTP_NO_ROUTE', `no route matches ${method} ${path}`, {
        hint: 'check route_config.routes (prefix/path, methods, headers)',
      });
      this.ends.localError(req, res, id, url, path, err, startedAt, '-');
      return;
    }
    // Shed before anything is read or allocated for the request; a body left unread closes the connection.
    if (o.admission?.shed(startedAt, o.listener) === true) {
      if (req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined) res.shouldKeepAlive = false;
      this.ends.localError(req, res, id, url, path, o.admission.shedError(), startedAt, match.route.id);
      return;
    }
    const declared = Number(req.headers['content-length']);
    if (declared > o.maxBodyBytes) {
      const err = new DgpError('DGP_ERR_HTTP_BODY_TOO_LARGE', `request body of ${declared} bytes exceeds the limit of ${o.maxBodyBytes}`, {
        hint: 'send a smaller body or raise the listener config max_body_bytes',
      });
      res.shouldKeepAlive = false;
      this.ends.localError(req, res, id, url, path, err, startedAt, match.route.id);
      return;
    }
    const route = this.matchedRoute(match);
    const ctx = new Context(req, id, route, o.log, this.replies, o.maxBodyBytes, startedAt, request);
    // One shared listener, the context on the response: no closure per request.
    (res as ResponseWithContext)[CONTEXT] = ctx;
    res.on('close', onResponseClose);
    if (o.tracing !== undefined) {
      const rt = o.tracing.startServer(req.headers.traceparent, method, path, route, id, startedAt);
      if (rt !== undefined) ctx.set(RequestTraceAttr, rt);
    }
    o.acquire();
    void this.runner.run(ctx, res, o.routeChains?.[match.route.index] ?? o.chain);
  }

  /** The route as filters see it; one frozen object per route when the path has no `:var` values. */
  private matchedRoute(match: RouteMatch): MatchedRoute {
    const r = match.route;
    const params = match.params;
    const cached = params === EMPTY_PARAMS ? this.routes.get(r) : undefined;
    if (cached !== undefined) return cached;
    const route: MatchedRoute = Object.freeze({
      id: r.id,
      cluster: r.cluster,
      params,
      listener: this.o.listener,
      clusterNotFoundResponseCode: r.clusterNotFoundResponseCode,
      priority: r.priority,
    });
    if (params === EMPTY_PARAMS) this.routes.set(r, route);
    return route;
  }
}
