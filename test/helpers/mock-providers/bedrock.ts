// A strict mock of the Amazon Bedrock Converse API. It verifies the SigV4 signature the way AWS does — recomputed
// here from the canonical request with node:crypto HMACs, independently of the signer the gateway uses — and answers
// a bad one with Bedrock's 403 InvalidSignatureException. Valid requests are checked against the Converse shape
// (alternating user-first turns, one member per content block, toolUse only with a toolConfig, every toolUse answered
// by a toolResult in the next turn) and answered as Converse JSON or as a ConverseStream binary event stream with
// correct prelude and message CRCs.
import { createHash, createHmac } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { crc32 } from 'node:zlib';
import { halves, isObject, startMockProvider, type MockProvider, type MockReply, type ReceivedRequest, type Rejection, type ReplyScript } from './server.js';

export interface AwsTestCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface BedrockMockOptions {
  reply: ReplyScript;
  credentials: AwsTestCredentials;
  region: string;
  /** A Bedrock API key accepted as `Authorization: Bearer` instead of a signature. */
  apiKey?: string;
  /**
   * A stream ends with this exception message (`:message-type exception`): after the text deltas, or with
   * `first` right after messageStart, before any content.
   */
  streamException?: { type: string; message: string; first?: boolean };
}

const FIELDS = new Set(['messages', 'system', 'inferenceConfig', 'toolConfig', 'guardrailConfig', 'additionalModelRequestFields', 'promptVariables', 'additionalModelResponseFieldPaths', 'requestMetadata', 'performanceConfig', 'outputConfig']);
const INFERENCE = new Set(['maxTokens', 'temperature', 'topP', 'stopSequences']);
const BLOCKS = new Set(['text', 'image', 'document', 'video', 'toolUse', 'toolResult', 'guardContent', 'cachePoint', 'reasoningContent']);
const PATH = /^\/model\/([^/]+)\/(converse|converse-stream)$/;

const awsError = (status: number, type: string, message: string): Rejection => ({
  status,
  headers: { 'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/`, 'x-amzn-requestid': 'mock-request-id' },
  body: { message },
});
const invalid = (message: string): Rejection => awsError(400, 'ValidationException', message);

export const BAD_SIGNATURE_MESSAGE =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data, 'utf8').digest();
/** RFC 3986 encoding, as SigV4 wants it (encodeURIComponent leaves !'()* alone). */
const uriEncode = (s: string): string => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** Verifies the Authorization header as AWS would; undefined when the request is properly signed. */
export function verifySigV4(req: ReceivedRequest, rawPath: string, creds: AwsTestCredentials, region: string, now = Date.now()): Rejection | undefined {
  const auth = String(req.headers.authorization ?? '');
  if (auth === '') return awsError(403, 'MissingAuthenticationTokenException', 'Missing Authentication Token');
  const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/.exec(auth);
  if (!m) return awsError(403, 'IncompleteSignatureException', `Authorization header requires 'Credential', 'Signature', 'SignedHeaders' parameters. Authorization=${auth.slice(0, 40)}`);
  const [, keyId, scopeDate, scopeRegion, service, signedList, signature] = m as unknown as string[];
  if (keyId !== creds.accessKeyId) return awsError(403, 'UnrecognizedClientException', 'The security token included in the request is invalid.');
  const amzDate = String(req.headers['x-amz-date'] ?? '');
  if (!/^\d{8}T\d{6}Z$/.test(amzDate)) return awsError(403, 'IncompleteSignatureException', 'Authorization header requires existence of either a \'X-Amz-Date\' or a \'Date\' header.');
  const t = Date.UTC(+amzDate.slice(0, 4), +amzDate.slice(4, 6) - 1, +amzDate.slice(6, 8), +amzDate.slice(9, 11), +amzDate.slice(11, 13), +amzDate.slice(13, 15));
  if (Math.abs(now - t) > 5 * 60_000) return awsError(403, 'InvalidSignatureException', 'Signature expired: the request time is too far from the server time.');
  if (scopeDate !== amzDate.slice(0, 8)) return awsError(403, 'InvalidSignatureException', 'Credential should be scoped to a valid date.');
  if (scopeRegion !== region) return awsError(403, 'InvalidSignatureException', `Credential should be scoped to a valid region, not '${scopeRegion}'.`);
  if (service !== 'bedrock') return awsError(403, 'InvalidSignatureException', `Credential should be scoped to correct service: 'bedrock'.`);
  const signed = signedList!.split(';');
  if (!signed.includes('host') || !signed.includes('x-amz-date')) return awsError(403, 'InvalidSignatureException', 'The host and x-amz-date headers must be signed.');
  if (creds.sessionToken !== undefined) {
    if (req.headers['x-amz-security-token'] !== creds.sessionToken) return awsError(403, 'UnrecognizedClientException', 'The security token included in the request is invalid.');
    if (!signed.includes('x-amz-security-token')) return awsError(403, 'InvalidSignatureException', 'x-amz-security-token must be signed.');
  }
  const contentSha = req.headers['x-amz-content-sha256'];
  const payloadHash = sha256(req.raw);
  if (contentSha !== undefined && contentSha !== payloadHash) return awsError(400, 'XAmzContentSHA256Mismatch', 'The provided x-amz-content-sha256 header does not match what was computed.');
  // A signed header that did not arrive counts as empty: the signature then fails to match, as at AWS.
  const canonicalHeaders = signed.map((h) => `${h}:${String(req.headers[h] ?? '').trim().replace(/\s+/g, ' ')}\n`).join('');
  // Non-S3 services: each path segment, as sent, is URI-encoded once more.
  const canonicalUri = rawPath.split('/').map(uriEncode).join('/');
  const canonicalQuery = [...req.query.entries()].map(([k, v]) => `${uriEncode(k)}=${uriEncode(v)}`).sort().join('&');
  const canonical = [req.method, canonicalUri, canonicalQuery, canonicalHeaders, signedList, contentSha ?? payloadHash].join('\n');
  const scope = `${scopeDate}/${scopeRegion}/${service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${creds.secretAccessKey}`, scopeDate!), scopeRegion!), service!), 'aws4_request');
  if (hmac(key, toSign).toString('hex') !== signature) return awsError(403, 'InvalidSignatureException', BAD_SIGNATURE_MESSAGE);
  return undefined;
}

export function validateConverse(req: ReceivedRequest): Rejection | undefined {
  const b = req.body;
  if (!isObject(b)) return invalid('Malformed input request, please reformat your input and try again.');
  for (const k of Object.keys(b)) if (!FIELDS.has(k)) return invalid(`Malformed input request: extraneous key [${k}] is not permitted, please reformat your input and try again.`);
  if (b.inferenceConfig !== undefined) {
    if (!isObject(b.inferenceConfig)) return invalid('inferenceConfig must be an object');
    for (const k of Object.keys(b.inferenceConfig)) if (!INFERENCE.has(k)) return invalid(`Malformed input request: extraneous key [${k}] is not permitted`);
  }
  if (b.outputConfig !== undefined) {
    const f = isObject(b.outputConfig) ? b.outputConfig.textFormat : undefined;
    const js = isObject(f) && f.type === 'json_schema' && isObject(f.structure) ? f.structure.jsonSchema : undefined;
    if (!isObject(js) || typeof js.schema !== 'string') return invalid('outputConfig.textFormat: type json_schema with structure.jsonSchema.schema (a JSON string) is required');
    try {
      if (!isObject(JSON.parse(js.schema))) return invalid('outputConfig.textFormat.structure.jsonSchema.schema: must be a JSON object schema');
    } catch {
      return invalid('outputConfig.textFormat.structure.jsonSchema.schema: is not valid JSON');
    }
  }
  if (b.system !== undefined && (!Array.isArray(b.system) || !b.system.every((s) => isObject(s) && typeof s.text === 'string'))) return invalid('system: must be a list of {text} blocks');
  const tools = new Set<string>();
  if (b.toolConfig !== undefined) {
    const tc = b.toolConfig;
    if (!isObject(tc) || !Array.isArray(tc.tools) || tc.tools.length === 0) return invalid('The toolConfig field must be defined with at least one tool.');
    for (const t of tc.tools) {
      const spec = isObject(t) ? t.toolSpec : undefined;
      if (!isObject(spec) || typeof spec.name !== 'string' || !isObject(spec.inputSchema) || !isObject(spec.inputSchema.json)) return invalid('toolConfig.tools: each tool needs toolSpec {name, inputSchema: {json}}');
      tools.add(spec.name);
    }
    const c = tc.toolChoice;
    if (c !== undefined && !(isObject(c) && Object.keys(c).length === 1 && ['auto', 'any', 'tool'].includes(Object.keys(c)[0]!))) return invalid('toolChoice must be one of auto, any, tool');
  }
  if (!Array.isArray(b.messages) || b.messages.length === 0) return invalid('A conversation must start with a user message. Try again with a conversation that starts with a user message.');
  let pending = new Set<string>();
  for (const [i, m] of b.messages.entries()) {
    if (!isObject(m) || (m.role !== 'user' && m.role !== 'assistant')) return invalid(`messages.${i}.role: must be user or assistant`);
    if (i === 0 && m.role !== 'user') return invalid('A conversation must start with a user message. Try again with a conversation that starts with a user message.');
    if (i > 0 && (b.messages[i - 1] as { role: string }).role === m.role) return invalid('A conversation must alternate between user and assistant roles. Make sure the conversation alternates between user and assistant roles and try again.');
    if (!Array.isArray(m.content) || m.content.length === 0) return invalid(`messages.${i}.content: must be a non-empty list`);
    const answered = new Set<string>();
    const used = new Set<string>();
    for (const block of m.content) {
      const keys = isObject(block) ? Object.keys(block) : [];
      if (keys.length !== 1 || !BLOCKS.has(keys[0]!)) return invalid(`messages.${i}.content: each block must hold exactly one of ${[...BLOCKS].join(', ')}`);
      const blk = block as Record<string, Record<string, unknown>>;
      if (keys[0] === 'toolUse') {
        if (m.role !== 'assistant') return invalid('toolUse blocks belong to assistant messages');
        if (b.toolConfig === undefined) return invalid('The toolConfig field must be defined when using toolUse and toolResult content blocks.');
        const u = blk.toolUse!;
        if (typeof u.toolUseId !== 'string' || !/^[a-zA-Z0-9_-]{1,64}$/.test(u.toolUseId) || typeof u.name !== 'string' || !isObject(u.input)) return invalid('toolUse: toolUseId, name and input (an object) are required');
        used.add(u.toolUseId);
      } else if (keys[0] === 'toolResult') {
        if (b.toolConfig === undefined) return invalid('The toolConfig field must be defined when using toolUse and toolResult content blocks.');
        const r = blk.toolResult!;
        if (typeof r.toolUseId !== 'string' || !pending.has(r.toolUseId)) return invalid(`The toolResult blocks at messages.${i}.content contain a toolUseId that does not match a toolUse in the previous turn.`);
        if (!Array.isArray(r.content)) return invalid('toolResult.content must be a list');
        answered.add(r.toolUseId);
      } else if (keys[0] === 'text' && typeof blk.text !== 'string') return invalid('text must be a string');
    }
    if (pending.size > 0 && [...pending].some((id) => !answered.has(id))) return invalid(`Expected toolResult blocks at messages.${i}.content for the following Ids: ${[...pending].filter((id) => !answered.has(id)).join(', ')}`);
    pending = used;
  }
  return undefined;
}

const STOP: Record<string, string> = { stop: 'end_turn', length: 'max_tokens', tool_calls: 'tool_use' };

function contentOf(reply: MockReply, ids: string[]): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  if (reply.text !== undefined) out.push({ text: reply.text });
  (reply.toolCalls ?? []).forEach((c, i) => out.push({ toolUse: { toolUseId: ids[i]!, name: c.name, input: c.args } }));
  return out;
}

function usageOf(reply: MockReply): Record<string, number> {
  const u = reply.usage ?? { input: 10, output: 5 };
  const cached = u.cached ?? 0;
  const usage: Record<string, number> = { inputTokens: u.input - cached, outputTokens: u.output, totalTokens: u.input + u.output };
  if (cached > 0) usage.cacheReadInputTokens = cached;
  return usage;
}

/** One event stream message: prelude (lengths + CRC), string headers, JSON payload, message CRC. */
export function eventMessage(headers: Record<string, string>, payload: unknown): Buffer {
  const hs = Buffer.concat(
    Object.entries(headers).map(([k, v]) => {
      const name = Buffer.from(k);
      const value = Buffer.from(v);
      const h = Buffer.alloc(1 + name.length + 1 + 2 + value.length);
      h.writeUInt8(name.length, 0);
      name.copy(h, 1);
      h.writeUInt8(7, 1 + name.length);
      h.writeUInt16BE(value.length, 2 + name.length);
      value.copy(h, 4 + name.length);
      return h;
    }),
  );
  const body = Buffer.from(JSON.stringify(payload));
  const total = 12 + hs.length + body.length + 4;
  const msg = Buffer.alloc(total);
  msg.writeUInt32BE(total, 0);
  msg.writeUInt32BE(hs.length, 4);
  msg.writeUInt32BE(crc32(msg.subarray(0, 8)), 8);
  hs.copy(msg, 12);
  body.copy(msg, 12 + hs.length);
  msg.writeUInt32BE(crc32(msg.subarray(0, total - 4)), total - 4);
  return msg;
}

const event = (type: string, payload: Record<string, unknown>): Buffer =>
  eventMessage({ ':event-type': type, ':content-type': 'application/json', ':message-type': 'event' }, { ...payload, p: 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVW'.slice(0, 1 + (type.length % 7)) });

function respond(req: ReceivedRequest, reply: MockReply, res: ServerResponse, opts: BedrockMockOptions): void {
  const ids = (reply.toolCalls ?? []).map((c, i) => c.id ?? `tooluse_mock${i}abcdef`);
  const finish = reply.finish ?? (reply.toolCalls?.length ? 'tool_calls' : 'stop');
  if (!req.path.endsWith('/converse-stream')) {
    const body = { output: { message: { role: 'assistant', content: contentOf(reply, ids) } }, stopReason: STOP[finish], usage: usageOf(reply), metrics: { latencyMs: 321 } };
    const text = JSON.stringify(body);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'x-amzn-requestid': 'mock-request-id' });
    res.end(text);
    return;
  }
  const frames: Buffer[] = [event('messageStart', { role: 'assistant' })];
  const exception = (e: { type: string; message: string }): Buffer =>
    eventMessage({ ':exception-type': e.type, ':content-type': 'application/json', ':message-type': 'exception' }, { message: e.message });
  if (opts.streamException?.first) {
    res.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream', 'x-amzn-requestid': 'mock-request-id' });
    res.end(Buffer.concat([...frames, exception(opts.streamException)]));
    return;
  }
  let index = 0;
  if (reply.text !== undefined) {
    for (const part of halves(reply.text)) frames.push(event('contentBlockDelta', { contentBlockIndex: index, delta: { text: part } }));
    if (opts.streamException) frames.push(exception(opts.streamException));
    frames.push(event('contentBlockStop', { contentBlockIndex: index++ }));
  }
  (reply.toolCalls ?? []).forEach((c, i) => {
    frames.push(event('contentBlockStart', { contentBlockIndex: index, start: { toolUse: { toolUseId: ids[i]!, name: c.name } } }));
    for (const part of halves(JSON.stringify(c.args))) frames.push(event('contentBlockDelta', { contentBlockIndex: index, delta: { toolUse: { input: part } } }));
    frames.push(event('contentBlockStop', { contentBlockIndex: index++ }));
  });
  frames.push(event('messageStop', { stopReason: STOP[finish] }));
  frames.push(event('metadata', { usage: usageOf(reply), metrics: { latencyMs: 321 } }));
  res.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream', 'x-amzn-requestid': 'mock-request-id' });
  const all = Buffer.concat(frames);
  const sent = reply.stallAfter === undefined ? all : Buffer.concat(frames.slice(0, reply.stallAfter));
  // Cut at odd places, the way TCP delivers it: a frame split across writes, several frames in one write.
  for (let at = 0; at < sent.length; at += 37) res.write(sent.subarray(at, at + 37));
  if (reply.stallAfter === undefined) res.end();
}

export function startMockBedrock(opts: BedrockMockOptions): Promise<MockProvider> {
  return startMockProvider(
    {
      validate(req) {
        const m = PATH.exec(req.path);
        if (req.method !== 'POST' || !m) return awsError(404, 'UnknownOperationException', `Unknown operation ${req.method} ${req.path}`);
        const bearer = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ''))?.[1];
        if (bearer !== undefined) {
          if (bearer !== opts.apiKey) return awsError(403, 'UnrecognizedClientException', 'The security token included in the request is invalid.');
          return validateConverse(req);
        }
        return verifySigV4(req, req.path, opts.credentials, opts.region) ?? validateConverse(req);
      },
      respond: (req, reply, res) => respond(req, reply, res, opts),
    },
    opts.reply,
  );
}
