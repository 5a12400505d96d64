// Nacos naming over the HTTP Open API (v1 paths, served by Nacos 1.x and 2.x): POST /v1/auth/login for an
// accessToken (refreshed before tokenTtl runs out, and once more on a 403), GET /v1/ns/service/list paged, and
// GET /v1/ns/instance/list per service. Failover across the configured servers.
import type { Dispatcher } from 'undici';
import { authFailed, badResponse, httpCall, isUnreachable, parseJsonObject, redactUrl, unreachable, type HttpResult } from './http-json.js';
import type { NacosInstance } from './nacos-endpoint.js';
import { ServerList } from './servers.js';

export interface NacosClientOptions {
  servers: readonly string[];
  contextPath: string;
  namespace: string;
  group: string;
  username: string;
  password: string;
  timeoutMs: number;
  agent: Dispatcher;
  signal: AbortSignal;
  now?: () => number;
}

const PAGE_SIZE = 500;
/** A hard stop for paging (PAGE_SIZE × MAX_PAGES services), should a server report a wrong count. */
const MAX_PAGES = 200;

export class NacosClient {
  readonly #o: NacosClientOptions;
  readonly #servers: ServerList;
  readonly #now: () => number;
  #token: { value: string; refreshAt: number } | undefined;

  constructor(opts: NacosClientOptions) {
    this.#o = opts;
    this.#servers = new ServerList(opts.servers);
    this.#now = opts.now ?? Date.now;
  }

  /** Every service name in the group and namespace. */
  async listServices(): Promise<string[]> {
    const names: string[] = [];
    for (let page = 1; page <= MAX_PAGES; page++) {
      const body = await this.#get('/v1/ns/service/list', { pageNo: String(page), pageSize: String(PAGE_SIZE), groupName: this.#o.group });
      const json = parseJsonObject(body, 'nacos service list');
      const doms = json.doms;
      if (!Array.isArray(doms) || !doms.every((d) => typeof d === 'string')) throw badResponse('nacos service list: "doms" is not a list of names');
      names.push(...doms);
      const count = typeof json.count === 'number' ? json.count : names.length;
      if (doms.length < PAGE_SIZE || names.length >= count) break;
    }
    return [...new Set(names)];
  }

  /** All instances of one service (healthy or not; Nacos itself leaves out disabled ones). */
  async listInstances(service: string): Promise<NacosInstance[]> {
    const body = await this.#get('/v1/ns/instance/list', { serviceName: service, groupName: this.#o.group, healthyOnly: 'false' });
    const json = parseJsonObject(body, `nacos instance list of ${service}`);
    if (!Array.isArray(json.hosts)) throw badResponse(`nacos instance list of ${service}: "hosts" is missing`);
    return json.hosts.filter((h): h is NacosInstance => h !== null && typeof h === 'object');
  }

  async #get(path: string, params: Record<string, string>): Promise<string> {
    const run = async (retriedAuth: boolean): Promise<string> => {
      const token = await this.#accessToken();
      const query = new URLSearchParams(params);
      if (this.#o.namespace !== '') query.set('namespaceId', this.#o.namespace);
      if (token !== undefined) query.set('accessToken', token);
      const res = await this.#servers.tryEach((origin) => this.#call('GET', `${origin}${this.#o.contextPath}${path}?${query}`), isUnreachable);
      // A 403 with credentials usually means the token expired early (server restart, new secret): log in once more.
      if (res.status === 403 && this.#hasCredentials() && !retriedAuth) {
        this.#token = undefined;
        return run(true);
      }
      if (res.status === 401 || res.status === 403) throw authFailed(`nacos ${path} answered ${res.status}: ${res.text.slice(0, 200)}`);
      if (res.status !== 200) throw badResponse(`nacos ${path} answered ${res.status}: ${res.text.slice(0, 200)}`);
      return res.text;
    };
    return run(false);
  }

  async #call(method: 'GET' | 'POST', url: string, body?: string): Promise<HttpResult> {
    const res = await httpCall(this.#o.agent, {
      method,
      url,
      body,
      headers: body === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' },
      timeoutMs: this.#o.timeoutMs,
      signal: this.#o.signal,
    });
    // A server that is up but failing (e.g. 503 while it starts) is as good as unreachable: try the next one.
    if (res.status >= 500) throw unreachable(`${method} ${redactUrl(url)} answered ${res.status}: ${res.text.slice(0, 200)}`);
    return res;
  }

  #hasCredentials(): boolean {
    return this.#o.username !== '';
  }

  /** The current token, logging in when there is none or it is within the last tenth of its lifetime (Nacos SDK habit). */
  async #accessToken(): Promise<string | undefined> {
    if (!this.#hasCredentials()) return undefined;
    if (this.#token !== undefined && this.#now() < this.#token.refreshAt) return this.#token.value;
    const form = new URLSearchParams({ username: this.#o.username, password: this.#o.password }).toString();
    const res = await this.#servers.tryEach((origin) => this.#call('POST', `${origin}${this.#o.contextPath}/v1/auth/login`, form), isUnreachable);
    if (res.status !== 200) throw authFailed(`nacos login as "${this.#o.username}" answered ${res.status}: ${res.text.slice(0, 200)}`);
    const json = parseJsonObject(res.text, 'nacos login');
    if (typeof json.accessToken !== 'string' || json.accessToken === '') throw badResponse('nacos login: no accessToken in the answer');
    const ttlMs = (typeof json.tokenTtl === 'number' && json.tokenTtl > 0 ? json.tokenTtl : 18_000) * 1000;
    this.#token = { value: json.accessToken, refreshAt: this.#now() + ttlMs * 0.9 };
    return json.accessToken;
  }
}
