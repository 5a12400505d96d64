// A minimal stand-in for dgp.filter.llm.proxy, for codec tests only: one endpoint, no retries. It detects the client
// API from the path, plans the upstream request with createTranslation, calls the mock provider, and sends back the
// translated response (streams chunk by chunk), so official SDKs can be pointed at it.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { type LlmMeta } from '../../../core/index.js';
import { createTranslation, detectOperation, type AttemptTranslation } from '../../../core/llm/index.js';
import { codec, recorder } from './helpers.js';

const HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'host', 'content-length', 'te', 'upgrade']);

export interface TranslatingServer {
  url: string;
  exchanges: AttemptTranslation[];
  close(): Promise<void>;
}

export async function startTranslatingServer(opts: { upstreamUrl: string; llmMeta: Partial<LlmMeta> & { provider: string } }): Promise<TranslatingServer> {
  const exchanges: AttemptTranslation[] = [];
  const server = createServer(async (req, res) => {
    try {
      const parts: Buffer[] = [];
      for await (const c of req) parts.push(c as Buffer);
      const raw = Buffer.concat(parts);
      const url = new URL(req.url ?? '/', 'http://gw');
      const op = detectOperation(url.pathname);
      if (!op) throw new Error(`no route for ${url.pathname}`);
      const ex = createTranslation({
        clientApi: op.api,
        request: { operation: op.operation, method: req.method ?? 'POST', path: url.pathname, query: url.search.slice(1), headers: req.headers, body: raw.length ? JSON.parse(raw.toString('utf8')) : undefined },
        rawBody: raw,
        endpoint: { llmMeta: { fallback: false, health_check_interval: 0, retry_policy: { name: 'NoRetry', config: {} }, api_key: '', ...opts.llmMeta } },
        clientCodec: codec(op.api),
        providerCodec: codec(opts.llmMeta.provider),
        log: recorder(),
      });
      exchanges.push(ex);
      const headers: Record<string, string> = {};
      const drop = new Set(ex.request.dropHeaders);
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && !HOP.has(k) && !drop.has(k)) headers[k] = v;
      Object.assign(headers, ex.request.headers);
      const up = await request(opts.upstreamUrl + ex.request.path, { method: ex.request.method as 'POST', headers, body: ex.request.body });
      const upHeaders = up.headers as Record<string, string | string[] | undefined>;
      const out = await ex.respond({ status: up.statusCode, headers: upHeaders, body: up.body as AsyncIterable<Buffer> });
      const resHeaders: Record<string, string | string[]> = {};
      if (out.keepUpstreamHeaders) for (const [k, v] of Object.entries(upHeaders)) if (v !== undefined && !HOP.has(k)) resHeaders[k] = v;
      Object.assign(resHeaders, out.headers);
      res.writeHead(out.status, resHeaders);
      if (Buffer.isBuffer(out.body)) res.end(out.body);
      else {
        for await (const chunk of out.body) res.write(chunk);
        res.end();
      }
    } catch (err) {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String((err as Error).stack ?? err));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    exchanges,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
