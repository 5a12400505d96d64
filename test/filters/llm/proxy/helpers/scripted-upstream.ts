// A raw upstream on 127.0.0.1:0 for the proxy's security tests: each request is answered by a script that writes
// exactly the bytes (and in exactly the pieces) a test needs — a chunked error body, an SSE stream with an error event,
// a secret split across writes, garbage after a status line — and is recorded with its URL and headers.
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface ScriptedRequest {
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export type Script = (req: ScriptedRequest, res: ServerResponse) => void | Promise<void>;

export interface ScriptedUpstream {
  readonly port: number;
  readonly requests: ScriptedRequest[];
  script: Script;
  close(): Promise<void>;
}

export async function startScriptedUpstream(script: Script): Promise<ScriptedUpstream> {
  const requests: ScriptedRequest[] = [];
  const sockets = new Set<Socket>();
  const up = { requests, script } as ScriptedUpstream & { script: Script };
  const server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      const r = { url: req.url ?? '/', headers: req.headers, body: Buffer.concat(parts) };
      requests.push(r);
      void up.script(r, res);
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  Object.defineProperty(up, 'port', { value: (server.address() as AddressInfo).port });
  up.close = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  return up;
}

/** Writes `pieces` one by one, each after `gapMs`, then ends the response (chunked when no content-length was set). */
export async function writePieces(res: ServerResponse, pieces: readonly string[], gapMs = 5): Promise<void> {
  for (const p of pieces) {
    res.write(p);
    await new Promise((r) => setTimeout(r, gapMs));
  }
  res.end();
}

/** A TCP server that answers every request with the given raw bytes, then closes (malformed-response tests). */
export async function startRawUpstream(bytes: string): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createTcpServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
    s.once('data', () => s.end(bytes));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
