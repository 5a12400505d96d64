// A local stand-in for a Nacos 2.x server's HTTP Open API (a real Nacos cannot be installed here), limited to what
// dgp.adapter.llmregistrycenter calls, answering as Nacos documents it: POST /nacos/v1/auth/login → {accessToken,
// tokenTtl, globalAdmin}; GET /nacos/v1/ns/service/list → {count, doms} paged; GET /nacos/v1/ns/instance/list →
// ServiceInfo {name: "<group>@@<service>", hosts: [...]}, disabled instances left out, the protect threshold (all
// instances returned as healthy when none is), 403 with Nacos's texts for missing, invalid or expired tokens.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { randomUUID } from 'node:crypto';

export interface FakeInstance {
  ip: string;
  port: number;
  weight?: number;
  healthy?: boolean;
  enabled?: boolean;
  clusterName?: string;
  metadata?: Record<string, string>;
}

export interface FakeNacosOptions {
  /** Turns auth on: only these credentials log in, every naming call needs a valid accessToken. */
  auth?: { username: string; password: string; tokenTtlSeconds?: number };
  contextPath?: string;
}

export interface RecordedCall {
  method: string;
  path: string;
  query: Record<string, string>;
  status: number;
}

const DEFAULT_NAMESPACE = 'public';

export class FakeNacos {
  readonly calls: RecordedCall[] = [];
  /** namespace → group → service → instances */
  readonly #data = new Map<string, Map<string, Map<string, FakeInstance[]>>>();
  readonly #tokens = new Map<string, number>();
  readonly #sockets = new Set<Socket>();
  #down = false;

  private constructor(
    private readonly server: Server,
    private readonly opts: FakeNacosOptions,
  ) {}

  static async start(opts: FakeNacosOptions = {}): Promise<FakeNacos> {
    const server = createServer();
    const fake = new FakeNacos(server, opts);
    server.on('connection', (s) => {
      fake.#sockets.add(s);
      s.on('close', () => fake.#sockets.delete(s));
    });
    server.on('request', (req, res) => fake.#handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Sets a service's instances (an empty list keeps the service, as Nacos keeps an empty service). */
  setInstances(service: string, instances: FakeInstance[], group = 'DEFAULT_GROUP', namespace = DEFAULT_NAMESPACE): void {
    const groups = this.#data.get(namespace) ?? new Map<string, Map<string, FakeInstance[]>>();
    this.#data.set(namespace, groups);
    const services = groups.get(group) ?? new Map<string, FakeInstance[]>();
    groups.set(group, services);
    services.set(service, instances.map((i) => ({ ...i })));
  }

  /** Deletes a whole service. */
  removeService(service: string, group = 'DEFAULT_GROUP', namespace = DEFAULT_NAMESPACE): void {
    this.#data.get(namespace)?.get(group)?.delete(service);
  }

  /** While down, every connection is reset before an answer (the server looks unreachable). */
  setDown(down: boolean): void {
    this.#down = down;
    if (down) for (const s of this.#sockets) s.destroy();
  }

  /** Forgets every issued token, as a Nacos restart with a new secret would. */
  revokeTokens(): void {
    this.#tokens.clear();
  }

  count(path: string, status?: number): number {
    return this.calls.filter((c) => c.path.endsWith(path) && (status === undefined || c.status === status)).length;
  }

  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.#down) return void req.socket.destroy();
    const url = new URL(req.url ?? '/', 'http://fake');
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    const query = Object.fromEntries(url.searchParams);
    const ctx = this.opts.contextPath ?? '/nacos';
    const path = url.pathname.startsWith(ctx) ? url.pathname.slice(ctx.length) : url.pathname;
    const send = (status: number, body: unknown): void => {
      this.calls.push({ method: req.method ?? '', path: url.pathname, query, status });
      const text = typeof body === 'string' ? body : JSON.stringify(body);
      res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/plain;charset=UTF-8' : 'application/json;charset=UTF-8' });
      res.end(text);
    };
    const route = `${req.method} ${path}`;
    if (route === 'POST /v1/auth/login') return send(...this.#login(form.get('username') ?? query.username, form.get('password') ?? query.password));
    const denied = this.#checkToken(query.accessToken);
    if (denied !== undefined && (route === 'GET /v1/ns/service/list' || route === 'GET /v1/ns/instance/list')) return send(403, denied);
    if (route === 'GET /v1/ns/service/list') return send(200, this.#serviceList(query));
    if (route === 'GET /v1/ns/instance/list') return send(...this.#instanceList(query));
    return send(404, `no such api: ${req.method} ${url.pathname}`);
  }

  #login(username: string | null | undefined, password: string | null | undefined): [number, unknown] {
    const auth = this.opts.auth;
    if (auth === undefined) return [200, { accessToken: '', tokenTtl: 18000, globalAdmin: true }];
    if (username !== auth.username) return [403, 'unknown user!'];
    if (password !== auth.password) return [403, 'unknown user!'];
    const ttl = auth.tokenTtlSeconds ?? 18000;
    const token = `fake.${randomUUID()}`;
    this.#tokens.set(token, Date.now() + ttl * 1000);
    return [200, { accessToken: token, tokenTtl: ttl, globalAdmin: true, username: auth.username }];
  }

  /** Nacos's 403 texts: no token → "user not found!", unknown → "token invalid!", past its ttl → "token expired!". */
  #checkToken(token: string | undefined): string | undefined {
    if (this.opts.auth === undefined) return undefined;
    if (token === undefined || token === '') return 'user not found!';
    const expiry = this.#tokens.get(token);
    if (expiry === undefined) return 'token invalid!';
    return Date.now() > expiry ? 'token expired!' : undefined;
  }

  #services(query: Record<string, string>): Map<string, FakeInstance[]> {
    const ns = query.namespaceId || DEFAULT_NAMESPACE;
    return this.#data.get(ns)?.get(query.groupName || 'DEFAULT_GROUP') ?? new Map();
  }

  #serviceList(query: Record<string, string>): unknown {
    const names = [...this.#services(query).keys()];
    const pageNo = Math.max(1, Number(query.pageNo ?? 1));
    const pageSize = Math.max(1, Number(query.pageSize ?? 20));
    return { count: names.length, doms: names.slice((pageNo - 1) * pageSize, pageNo * pageSize) };
  }

  #instanceList(query: Record<string, string>): [number, unknown] {
    if (!query.serviceName) return [400, 'caused: Param \'serviceName\' is required.;'];
    const group = query.groupName || 'DEFAULT_GROUP';
    const grouped = `${group}@@${query.serviceName}`;
    const all = (this.#services(query).get(query.serviceName) ?? []).filter((i) => i.enabled !== false);
    const healthyCount = all.filter((i) => i.healthy !== false).length;
    // Nacos's protect threshold (0 by default): when no instance is healthy, all are returned, marked healthy.
    const protect = all.length > 0 && healthyCount / all.length <= 0;
    const healthyOnly = query.healthyOnly === 'true';
    const hosts = all
      .map((i) => ({ ...i, healthy: protect ? true : i.healthy !== false }))
      .filter((i) => !healthyOnly || i.healthy)
      .map((i) => ({
        instanceId: `${i.ip}#${i.port}#${i.clusterName ?? 'DEFAULT'}#${grouped}`,
        ip: i.ip,
        port: i.port,
        weight: i.weight ?? 1.0,
        healthy: i.healthy,
        enabled: true,
        ephemeral: true,
        clusterName: i.clusterName ?? 'DEFAULT',
        serviceName: grouped,
        metadata: { ...(i.metadata ?? {}) },
        instanceHeartBeatInterval: 5000,
        instanceIdGenerator: 'simple',
        instanceHeartBeatTimeOut: 15000,
        ipDeleteTimeout: 30000,
      }));
    return [
      200,
      {
        name: grouped,
        groupName: group,
        clusters: query.clusters ?? '',
        cacheMillis: 10000,
        hosts,
        lastRefTime: Date.now(),
        checksum: '',
        allIPs: false,
        reachProtectionThreshold: protect,
        valid: true,
      },
    ];
  }
}
