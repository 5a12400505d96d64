// One bound node:http (or https) server per listener address. The socket outlives config generations: a reload swaps
// the connection manager behind it and applies changed timeouts and TLS certificates in place. Limits: header size
// (431), header/request timeouts (408), body size (413, in the HCM), keep-alive timeout; malformed requests get a 400.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { createSecureContext } from 'node:tls';
import type { Logger } from 'pino';
import { DgpError } from '../errors.js';
import type { HttpConnectionManager } from './hcm.js';

export interface ListenerLimits {
  idle_timeout: number;
  read_timeout: number;
  headers_timeout: number;
  max_header_bytes: number;
  cert_file: string;
  key_file: string;
}

export interface ListenerSpec {
  name: string;
  address: string;
  port: number;
  limits: ListenerLimits;
}

/** A change to a kept listener, checked before the swap and applied by `commit()` at the swap. */
export interface ListenerUpdate {
  commit(): void;
  /** Changed settings a kept socket cannot take (they apply after a restart), e.g. "listener main: max_header_bytes". */
  restartRequired: string[];
}

interface Tls {
  cert: Buffer;
  key: Buffer;
}

/** The identity under which a bound socket is kept across reloads. */
export const listenerKey = (address: string, port: number): string => `${address}:${port}`;

const headersTimeoutOf = (l: ListenerLimits): number => (l.read_timeout > 0 ? Math.min(l.headers_timeout, l.read_timeout) : l.headers_timeout);

function readTls(spec: ListenerSpec): Tls {
  const { cert_file, key_file } = spec.limits;
  try {
    const tls = { cert: readFileSync(cert_file), key: readFileSync(key_file) };
    createSecureContext(tls); // a key that does not match its cert fails here, before any socket exists
    return tls;
  } catch (cause) {
    throw new DgpError('DGP_ERR_LISTEN', `listener ${spec.name}: cannot load TLS cert_file ${cert_file} / key_file ${key_file}: ${(cause as Error).message}`, {
      hint: 'config.cert_file and config.key_file must be readable PEM files of one matching pair (paths relative to the config directory)',
      cause,
    });
  }
}

export class ListenerHost {
  readonly server: http.Server;
  hcm: HttpConnectionManager | undefined;
  private current: ListenerSpec;
  private tls: Tls | undefined;
  private boundPort = 0;
  // Responses in flight per connection manager (i.e. per generation), so a retired generation that overstays
  // shutdown_config.timeout can have its requests cut without touching the newer generation's.
  private readonly inflight = new Map<HttpConnectionManager, Set<http.ServerResponse>>();

  constructor(
    spec: ListenerSpec,
    private readonly log: Logger,
  ) {
    this.current = spec;
    const l = spec.limits;
    const headersTimeout = headersTimeoutOf(l);
    const options: http.ServerOptions = {
      maxHeaderSize: l.max_header_bytes,
      requestTimeout: l.read_timeout,
      headersTimeout,
      keepAliveTimeout: l.idle_timeout,
      connectionsCheckingInterval: Math.max(250, Math.min(1000, headersTimeout / 4 || 1000)),
      noDelay: true,
    };
    const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
      const hcm = this.hcm;
      if (!hcm) {
        res.statusCode = 503;
        res.end();
        return;
      }
      this.track(hcm, res);
      hcm.handle(req, res);
    };
    this.tls = l.cert_file ? readTls(spec) : undefined;
    this.server = this.tls ? https.createServer({ ...options, ...this.tls }, handler) : http.createServer(options, handler);
    this.server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => this.onClientError(err, socket));
  }

  get spec(): ListenerSpec {
    return this.current;
  }

  get port(): number {
    return this.boundPort;
  }

  /**
   * Checks a new spec for this bound address and returns how to apply it. Throws (before the swap) when the change
   * cannot be applied to a kept socket at all (HTTP ⇄ HTTPS) or the new certificate cannot be loaded.
   */
  prepareUpdate(next: ListenerSpec): ListenerUpdate {
    const before = this.current.limits;
    const after = next.limits;
    if (Boolean(before.cert_file) !== Boolean(after.cert_file)) {
      throw new DgpError('DGP_ERR_RELOAD_FAILED', `listener ${next.name} on ${next.address}:${next.port} switches between HTTP and HTTPS; a bound socket cannot change protocol`, {
        hint: 'move the listener to a new port in the same edit (the old one drains), or restart the gateway',
      });
    }
    let tls: Tls | undefined;
    if (after.cert_file) {
      tls = readTls(next);
      if (this.tls && tls.cert.equals(this.tls.cert) && tls.key.equals(this.tls.key)) tls = undefined;
    }
    const restartRequired = before.max_header_bytes !== after.max_header_bytes
      ? [`listener ${next.name}: max_header_bytes ${before.max_header_bytes} → ${after.max_header_bytes} (a bound socket keeps its header limit)`]
      : [];
    return {
      restartRequired,
      commit: () => {
        // Node reads these per request / per check, so existing keep-alive connections pick them up too.
        this.server.keepAliveTimeout = after.idle_timeout;
        this.server.headersTimeout = headersTimeoutOf(after);
        this.server.requestTimeout = after.read_timeout;
        if (tls) {
          (this.server as https.Server).setSecureContext(tls);
          this.tls = tls;
          this.log.info({ listener: next.name }, 'TLS certificate reloaded; new connections use it');
        }
        this.current = { ...next, limits: { ...after, max_header_bytes: before.max_header_bytes } };
      },
    };
  }

  /** Destroys the responses still in flight on `hcm` (a retired generation that outlived its drain bound). */
  cut(hcm: HttpConnectionManager): number {
    const set = this.inflight.get(hcm);
    if (!set) return 0;
    for (const res of set) res.destroy();
    this.inflight.delete(hcm);
    return set.size;
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const spec = this.current;
      const onError = (err: NodeJS.ErrnoException): void => {
        reject(
          new DgpError('DGP_ERR_LISTEN', `listener ${spec.name} cannot bind ${spec.address}:${spec.port}: ${err.code ?? err.message}`, {
            hint: err.code === 'EADDRINUSE' ? 'the port is in use: stop the other process or change socket_address.port' : 'check socket_address',
            cause: err,
          }),
        );
      };
      this.server.once('error', onError);
      this.server.listen(spec.port, spec.address, () => {
        this.server.off('error', onError);
        const addr = this.server.address();
        this.boundPort = typeof addr === 'object' && addr ? addr.port : spec.port;
        this.server.on('error', (err) => this.log.error({ err, listener: this.current.name }, 'listener error'));
        resolve();
      });
    });
  }

  /** Stops accepting; idle keep-alive connections close now, busy ones after `graceMs` at the latest. */
  async close(graceMs: number): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    const timer = setTimeout(() => this.server.closeAllConnections(), graceMs);
    timer.unref();
    await closed;
    clearTimeout(timer);
  }

  private track(hcm: HttpConnectionManager, res: http.ServerResponse): void {
    let set = this.inflight.get(hcm);
    if (!set) this.inflight.set(hcm, (set = new Set()));
    set.add(res);
    res.once('close', () => {
      set.delete(res);
      if (set.size === 0 && this.inflight.get(hcm) === set) this.inflight.delete(hcm);
    });
  }

  private onClientError(err: NodeJS.ErrnoException, socket: Socket): void {
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const [status, text, code] =
      err.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'Request Header Fields Too Large', 'request headers exceed max_header_bytes']
        : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? [408, 'Request Timeout', 'request not received within the listener read/headers timeout']
          : [400, 'Bad Request', `malformed request (${err.code ?? 'parse error'})`];
    const body = JSON.stringify({ error: { message: code, type: 'invalid_request_error', code: status === 400 ? 'DGP_ERR_HTTP_MALFORMED' : status === 431 ? 'DGP_ERR_HTTP_HEADERS_TOO_LARGE' : 'DGP_ERR_HTTP_TIMEOUT' } });
    socket.end(`HTTP/1.1 ${status} ${text}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    this.log.debug({ err: { code: err.code, message: err.message }, listener: this.current.name }, 'client error');
  }
}
