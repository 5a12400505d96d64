// etcd v3 over its JSON gRPC gateway (POST /v3/...; keys and values base64; int64 as strings; fields with default
// values omitted), served by etcd 3.4+: paged prefix range, a count-only probe, the streaming watch, and
// /v3/auth/authenticate when a user is configured (the token goes in the Authorization header).
import type { Dispatcher } from 'undici';
import { request } from 'undici';
import { isDgpError } from '../../../core/index.js';
import { authFailed, badResponse, httpCall, isUnreachable, parseJsonObject, unreachable } from './http-json.js';
import { ServerList } from './servers.js';

export interface EtcdKv {
  key: string;
  value: string;
  modRevision: bigint;
}

export interface EtcdClientOptions {
  servers: readonly string[];
  username: string;
  password: string;
  timeoutMs: number;
  agent: Dispatcher;
  signal: AbortSignal;
}

const PAGE = 1000;
/** etcd's auth error texts, in JSON error bodies and in a watch's cancel_reason. */
export const AUTH_ERROR = /user name is empty|invalid auth token|authentication failed|permission denied/;
/** A hard stop for paging (PAGE × MAX_PAGES keys). */
const MAX_PAGES = 1000;

export const b64 = (s: string | Buffer): string => Buffer.from(s).toString('base64');
export const unb64 = (s: unknown): string => (typeof s === 'string' ? Buffer.from(s, 'base64').toString('utf8') : '');

/** The range_end that makes a range cover every key starting with `prefix` (etcd clientv3 GetPrefixRangeEnd). */
export function prefixRangeEnd(prefix: string): Buffer {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i]!++;
      return end.subarray(0, i + 1);
    }
  }
  return Buffer.from([0]); // every key
}

export function revisionOf(header: unknown): bigint {
  const rev = (header as { revision?: unknown } | undefined)?.revision;
  if (typeof rev !== 'string' && typeof rev !== 'number') throw badResponse('etcd: the answer has no header.revision');
  return BigInt(rev);
}

export class EtcdClient {
  readonly #o: EtcdClientOptions;
  readonly servers: ServerList;
  #token: string | undefined;

  constructor(opts: EtcdClientOptions) {
    this.#o = opts;
    this.servers = new ServerList(opts.servers);
  }

  /** Every key under `prefix` at one revision (the first page's), with that revision. */
  async rangePrefix(prefix: string): Promise<{ revision: bigint; kvs: EtcdKv[] }> {
    const rangeEnd = b64(prefixRangeEnd(prefix));
    const kvs: EtcdKv[] = [];
    let key = b64(prefix);
    let revision: bigint | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const body: Record<string, unknown> = { key, range_end: rangeEnd, limit: String(PAGE) };
      if (revision !== undefined) body.revision = revision.toString();
      const json = await this.post('/v3/kv/range', body);
      revision ??= revisionOf(json.header);
      const items = Array.isArray(json.kvs) ? (json.kvs as Array<Record<string, unknown>>) : [];
      for (const kv of items) kvs.push({ key: unb64(kv.key), value: unb64(kv.value), modRevision: BigInt(String(kv.mod_revision ?? 0)) });
      if (json.more !== true || items.length === 0) return { revision, kvs };
      // The next page starts just after the last key returned (key + "\0").
      key = b64(Buffer.concat([Buffer.from(String(items.at(-1)!.key), 'base64'), Buffer.from([0])]));
    }
    throw badResponse(`etcd: more than ${PAGE * MAX_PAGES} keys under ${prefix}`);
  }

  /** A count-only range on `origin` (no failover): proves that server answers, and returns its current revision. */
  async probe(prefix: string, origin: string): Promise<bigint> {
    const json = await this.post('/v3/kv/range', { key: b64(prefix), range_end: b64(prefixRangeEnd(prefix)), count_only: true }, false, origin);
    return revisionOf(json.header);
  }

  /** Opens POST /v3/watch on `origin`; the caller reads the body stream. Resolves when the response headers arrived. */
  async openWatch(origin: string, prefix: string, startRevision: bigint, signal: AbortSignal): Promise<Dispatcher.ResponseData> {
    const body = JSON.stringify({
      create_request: { key: b64(prefix), range_end: b64(prefixRangeEnd(prefix)), start_revision: startRevision.toString(), progress_notify: true },
    });
    try {
      const res = await request(`${origin}/v3/watch`, {
        dispatcher: this.#o.agent,
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', ...(await this.#authHeader()) },
        signal,
        headersTimeout: this.#o.timeoutMs,
        // The stream is silent until something changes; liveness is the watcher's periodic probe.
        bodyTimeout: 0,
      });
      if (res.statusCode !== 200) {
        const text = await res.body.text();
        if (res.statusCode === 401) this.#token = undefined;
        throw res.statusCode === 401 || res.statusCode === 403 ? authFailed(`etcd watch answered ${res.statusCode}: ${text.slice(0, 200)}`) : unreachable(`etcd watch answered ${res.statusCode}: ${text.slice(0, 200)}`);
      }
      return res;
    } catch (err) {
      if (isDgpError(err)) throw err;
      throw unreachable(`POST ${origin}/v3/watch failed: ${(err as Error).message}`, err);
    }
  }

  /** Forgets the token (a watch was cancelled for an invalid one): the next call logs in again. */
  dropToken(): void {
    this.#token = undefined;
  }

  /** One JSON call with failover; a rejected token is renewed once. */
  async post(path: string, body: Record<string, unknown>, retriedAuth = false, only?: string): Promise<Record<string, unknown>> {
    const headers = { 'content-type': 'application/json', ...(await this.#authHeader()) };
    const servers = only === undefined ? this.servers : new ServerList([only]);
    const res = await servers.tryEach(async (origin) => {
      const r = await httpCall(this.#o.agent, { method: 'POST', url: `${origin}${path}`, headers, body: JSON.stringify(body), timeoutMs: this.#o.timeoutMs, signal: this.#o.signal });
      if (r.status >= 500) throw unreachable(`etcd ${path} on ${origin} answered ${r.status}: ${r.text.slice(0, 200)}`);
      return r;
    }, isUnreachable);
    if (res.status === 401 && this.#o.username !== '' && !retriedAuth) {
      this.#token = undefined;
      return this.post(path, body, true, only);
    }
    // etcd answers 400 "user name is empty" when auth is on and no user is configured.
    if (res.status === 401 || res.status === 403 || AUTH_ERROR.test(res.text)) throw authFailed(`etcd ${path} answered ${res.status}: ${res.text.slice(0, 200)}`);
    if (res.status !== 200) throw badResponse(`etcd ${path} answered ${res.status}: ${res.text.slice(0, 200)}`);
    return parseJsonObject(res.text, `etcd ${path}`);
  }

  async #authHeader(): Promise<Record<string, string>> {
    if (this.#o.username === '') return {};
    if (this.#token === undefined) {
      const res = await this.servers.tryEach(
        (origin) => httpCall(this.#o.agent, { method: 'POST', url: `${origin}/v3/auth/authenticate`, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: this.#o.username, password: this.#o.password }), timeoutMs: this.#o.timeoutMs, signal: this.#o.signal }),
        isUnreachable,
      );
      // A server without auth enabled refuses the login; requests then need no token.
      if (res.status !== 200 && /authentication is not enabled/.test(res.text)) return {};
      if (res.status !== 200) throw authFailed(`etcd login as "${this.#o.username}" answered ${res.status}: ${res.text.slice(0, 200)}`);
      const token = parseJsonObject(res.text, 'etcd authenticate').token;
      if (typeof token !== 'string' || token === '') throw badResponse('etcd authenticate: no token in the answer');
      this.#token = token;
    }
    return { authorization: this.#token };
  }
}
