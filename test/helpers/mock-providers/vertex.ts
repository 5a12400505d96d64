// A mock of Google's OAuth token endpoint and of Vertex AI, checking what the real services check: the token endpoint
// verifies the JWT bearer assertion's RS256 signature with the service account's public key and its claims (iss,
// scope, aud = token_uri, iat/exp) and issues numbered tokens; Vertex answers only `Authorization: Bearer <a token it
// issued and that has not expired>` on the exact publisher paths, Gemini or Claude (rawPredict: no model field,
// anthropic_version in the body), unary or SSE.
import { createVerify, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ServiceAccountKey {
  json: Record<string, string>;
  publicKey: KeyObject;
}

/** A fresh RSA key pair as a service-account key file whose token_uri is `tokenUri`. */
export function makeServiceAccount(tokenUri: string, projectId = 'sa-project'): ServiceAccountKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    publicKey,
    json: {
      type: 'service_account',
      project_id: projectId,
      private_key_id: 'kid-1',
      private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      client_email: 'gateway@sa-project.iam.gserviceaccount.com',
      client_id: '1',
      token_uri: tokenUri,
    },
  };
}

export interface TokenCall {
  ok: boolean;
  /** Why the assertion was refused, when it was. */
  refused?: string;
  claims?: Record<string, unknown>;
  header?: Record<string, unknown>;
}

export interface MockTokenServer {
  readonly uri: string;
  readonly calls: TokenCall[];
  /** Tokens issued and still valid. */
  valid(token: string): boolean;
  /** Seconds of life of the tokens issued from now on. */
  expiresIn: number;
  /** Answer the next requests with this error instead ({error, error_description}, status). */
  fail?: { status: number; body: unknown };
  /** ms to wait before answering (concurrent requests pile up meanwhile). */
  delayMs: number;
  setPublicKey(key: KeyObject): void;
  close(): Promise<void>;
}

const b64json = (part: string): Record<string, unknown> => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

const closeServer = (server: Server): Promise<void> => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); });

export async function startMockTokenServer(): Promise<MockTokenServer> {
  let publicKey: KeyObject | undefined;
  const issued = new Map<string, number>();
  const state: MockTokenServer = {
    uri: '',
    calls: [],
    expiresIn: 3600,
    delayMs: 0,
    valid: (token) => (issued.get(token) ?? 0) > Date.now(),
    setPublicKey: (k) => (publicKey = k),
    close: () => closeServer(server),
  };
  const refuse = (res: ServerResponse, why: string) => {
    state.calls.push({ ok: false, refused: why });
    res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'invalid_grant', error_description: why }));
  };
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (d: Buffer) => (text += d.toString()));
    req.on('end', () => {
      setTimeout(() => {
        if (state.fail) return void res.writeHead(state.fail.status, { 'content-type': 'application/json' }).end(JSON.stringify(state.fail.body));
        const form = new URLSearchParams(text);
        if (req.method !== 'POST' || req.url !== '/token' || req.headers['content-type'] !== 'application/x-www-form-urlencoded') return refuse(res, 'not a form POST to /token');
        if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') return refuse(res, 'Invalid grant_type');
        const parts = (form.get('assertion') ?? '').split('.');
        if (parts.length !== 3 || publicKey === undefined) return refuse(res, 'Invalid JWT');
        const header = b64json(parts[0]!);
        const claims = b64json(parts[1]!);
        const signed = createVerify('RSA-SHA256').update(`${parts[0]}.${parts[1]}`).verify(publicKey, Buffer.from(parts[2]!, 'base64url'));
        if (!signed || header.alg !== 'RS256') return refuse(res, 'Invalid JWT Signature.');
        const now = Math.floor(Date.now() / 1000);
        if (claims.iss !== 'gateway@sa-project.iam.gserviceaccount.com') return refuse(res, 'Invalid issuer');
        if (claims.aud !== state.uri) return refuse(res, 'Invalid JWT: aud must be the token_uri');
        if (claims.scope !== 'https://www.googleapis.com/auth/cloud-platform') return refuse(res, 'Invalid scope');
        if (typeof claims.iat !== 'number' || Math.abs(claims.iat - now) > 5 || claims.exp !== claims.iat + 3600) return refuse(res, 'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.');
        const token = `ya29.token-${state.calls.length + 1}`;
        issued.set(token, Date.now() + state.expiresIn * 1000);
        state.calls.push({ ok: true, claims, header });
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ access_token: token, expires_in: state.expiresIn, token_type: 'Bearer' }));
      }, state.delayMs);
    });
  });
  const port = await listen(server);
  (state as { uri: string }).uri = `http://127.0.0.1:${port}/token`;
  return state;
}

export interface VertexCall {
  path: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}

export interface MockVertex {
  readonly port: number;
  readonly calls: VertexCall[];
  close(): Promise<void>;
}

const GEMINI = /^\/v1\/projects\/([^/]+)\/locations\/([^/]+)\/publishers\/google\/models\/([^/:]+):(generateContent|streamGenerateContent|countTokens)(\?alt=sse)?$/;
const CLAUDE = /^\/v1\/projects\/([^/]+)\/locations\/([^/]+)\/publishers\/anthropic\/models\/([^/:]+):(rawPredict|streamRawPredict)$/;

const gemChunk = (text: string, finish?: string) => ({
  candidates: [{ content: { role: 'model', parts: [{ text }] }, index: 0, ...(finish ? { finishReason: finish } : {}) }],
  ...(finish ? { usageMetadata: { promptTokenCount: 3, candidatesTokenCount: 2, totalTokenCount: 5 } } : {}),
  modelVersion: 'gemini-2.0-flash',
});

const claudeMessage = (model: string) => ({
  id: 'msg_vertex1', type: 'message', role: 'assistant', model, content: [{ type: 'text', text: 'Hello there' }], stop_reason: 'end_turn', stop_sequence: null,
  usage: { input_tokens: 3, output_tokens: 2 },
});

function sse(res: ServerResponse, events: Array<[string | undefined, unknown]>): void {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  for (const [name, data] of events) res.write(`${name ? `event: ${name}\n` : ''}data: ${JSON.stringify(data)}\n\n`);
  res.end();
}

const googleError = (res: ServerResponse, status: number, grpc: string, message: string) =>
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: status, message, status: grpc } }));

/** Vertex AI for project `project` in `location`; `tokens` says which bearer tokens are valid. */
export async function startMockVertex(opts: { project: string; location: string; tokens: MockTokenServer }): Promise<MockVertex> {
  const calls: VertexCall[] = [];
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (d: Buffer) => (text += d.toString()));
    req.on('end', () => {
      const path = req.url ?? '';
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(text) as Record<string, unknown>;
      } catch {
        // Checked below.
      }
      calls.push({ path, headers: req.headers, body });
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      if (token === undefined || !opts.tokens.valid(token)) return googleError(res, 401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials. Expected OAuth 2 access token.');
      const g = GEMINI.exec(path);
      const c = CLAUDE.exec(path);
      const route = g ?? c;
      if (!route || route[1] !== opts.project || route[2] !== opts.location) return googleError(res, 404, 'NOT_FOUND', `Not found: ${path}`);
      if (g) {
        if (!Array.isArray(body.contents)) return googleError(res, 400, 'INVALID_ARGUMENT', 'contents is not specified');
        if (g[4] === 'countTokens') return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ totalTokens: 3 }));
        if (g[4] === 'generateContent') return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(gemChunk('Hello there', 'STOP')));
        if (g[5] === undefined) return googleError(res, 400, 'INVALID_ARGUMENT', 'this mock streams SSE only');
        return sse(res, [[undefined, gemChunk('Hello')], [undefined, gemChunk(' there', 'STOP')]]);
      }
      const anthropicError = (message: string) => res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ type: 'error', error: { type: 'invalid_request_error', message } }));
      if (body.model !== undefined) return anthropicError('model: Extra inputs are not permitted');
      if (body.anthropic_version !== 'vertex-2023-10-16') return anthropicError('anthropic_version: must be vertex-2023-10-16');
      if (!Array.isArray(body.messages) || typeof body.max_tokens !== 'number') return anthropicError('messages and max_tokens are required');
      const model = c![3]!;
      if (c![4] === 'rawPredict') {
        if (body.stream === true) return anthropicError('stream: use streamRawPredict');
        return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(claudeMessage(model)));
      }
      const start = { ...claudeMessage(model), content: [], stop_reason: null, usage: { input_tokens: 3, output_tokens: 0 } };
      return sse(res, [
        ['message_start', { type: 'message_start', message: start }],
        ['content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }],
        ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hello' } }],
        ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: ' there' } }],
        ['content_block_stop', { type: 'content_block_stop', index: 0 }],
        ['message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 2 } }],
        ['message_stop', { type: 'message_stop' }],
      ]);
    });
  });
  const port = await listen(server);
  return { port, calls, close: () => closeServer(server) };
}
