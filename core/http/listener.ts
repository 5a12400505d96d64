// One bound node:http (or https) server per listener address. The socket outlives config generations: a reload swaps
// the connection manager behind it. Limits: header size (431), header/request timeouts (408), body size (413, in the
// HCM), keep-alive timeout; malformed requests get a 400 and never reach a filter.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
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

/** The identity under which a bound socket is kept across reloads. */
export const listenerKey = (address: string, port: number): string => `${address}:${port}`;

export class ListenerHost {
  readonly server: http.Server;
  hcm: HttpConnectionManager | undefined;
  private boundPort = 0;

  constructor(
    readonly spec: ListenerSpec,
    private readonly log: Logger,
  ) {
    const l = spec.limits;
    const headersTimeout = l.read_timeout > 0 ? Math.min(l.headers_timeout, l.read_timeout) : l.headers_timeout;
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
      hcm.handle(req, res);
    };
    this.server = l.cert_file
      ? https.createServer({ ...options, cert: readFileSync(l.cert_file), key: readFileSync(l.key_file) }, handler)
      : http.createServer(options, handler);
    this.server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => this.onClientError(err, socket));
  }

  get port(): number {
    return this.boundPort;
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException): void => {
        reject(
          new DgpError('DGP_ERR_LISTEN', `listener ${this.spec.name} cannot bind ${this.spec.address}:${this.spec.port}: ${err.code ?? err.message}`, {
            hint: err.code === 'EADDRINUSE' ? 'the port is in use: stop the other process or change socket_address.port' : 'check socket_address',
            cause: err,
          }),
        );
      };
      this.server.once('error', onError);
      this.server.listen(this.spec.port, this.spec.address, () => {
        this.server.off('error', onError);
        const addr = this.server.address();
        this.boundPort = typeof addr === 'object' && addr ? addr.port : this.spec.port;
        this.server.on('error', (err) => this.log.error({ err, listener: this.spec.name }, 'listener error'));
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
    this.log.debug({ err: { code: err.code, message: err.message }, listener: this.spec.name }, 'client error');
  }
}
