// SigV4 signing of Converse requests with @smithy/signature-v4 (the AWS SDK's own signer). Only host, the codec's
// headers and the x-amz-* headers are signed: headers the proxy adds later (tracing, forwarding) stay outside the
// signature. Credentials: the settings (plugin config or llm_meta.options), else the standard AWS environment
// variables, read at each signing so rotated temporary credentials are picked up. They are never logged. Without
// access keys, a Bedrock API key (bearer_token, AWS_BEARER_TOKEN_BEDROCK) is sent as a Bearer token instead.
import { createHash, createHmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import type { JsonObject, SignableRequest } from '../../../core/llm/index.js';
import { BedrockCredentialsMissing } from './errors.js';

/** The Sha256 constructor the signer wants (hash, or HMAC with a secret), backed by node:crypto. */
type SourceData = string | ArrayBuffer | ArrayBufferView;
const bytes = (d: SourceData): string | Uint8Array => (typeof d === 'string' ? d : d instanceof ArrayBuffer ? new Uint8Array(d) : new Uint8Array(d.buffer, d.byteOffset, d.byteLength));

class Sha256 {
  readonly #h;
  constructor(secret?: SourceData) {
    this.#h = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: SourceData): void {
    this.#h.update(bytes(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.#h.digest()));
  }
}

interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

export function credentialsOf(settings: Readonly<JsonObject>, env: NodeJS.ProcessEnv = process.env): Credentials | undefined {
  const id = str(settings.access_key_id);
  const secret = str(settings.secret_access_key);
  if (id !== undefined && secret !== undefined) {
    const token = str(settings.session_token);
    return token === undefined ? { accessKeyId: id, secretAccessKey: secret } : { accessKeyId: id, secretAccessKey: secret, sessionToken: token };
  }
  if (id !== undefined || secret !== undefined) return undefined;
  const envId = str(env.AWS_ACCESS_KEY_ID);
  const envSecret = str(env.AWS_SECRET_ACCESS_KEY);
  if (envId === undefined || envSecret === undefined) return undefined;
  const token = str(env.AWS_SESSION_TOKEN);
  return token === undefined ? { accessKeyId: envId, secretAccessKey: envSecret } : { accessKeyId: envId, secretAccessKey: envSecret, sessionToken: token };
}

/** A Bedrock API key: the setting, else AWS_BEARER_TOKEN_BEDROCK (used only when no access keys are configured). */
export function bearerTokenOf(settings: Readonly<JsonObject>, env: NodeJS.ProcessEnv = process.env): string | undefined {
  return str(settings.bearer_token) ?? str(env.AWS_BEARER_TOKEN_BEDROCK);
}

export function regionOf(settings: Readonly<JsonObject>, hostname: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  return str(settings.region) ?? str(env.AWS_REGION) ?? str(env.AWS_DEFAULT_REGION) ?? /^bedrock-runtime(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com/.exec(hostname)?.[1];
}

export async function signRequest(req: SignableRequest, settings: Readonly<JsonObject>): Promise<Record<string, string>> {
  const url = new URL(req.origin);
  const credentials = credentialsOf(settings);
  if (credentials === undefined) {
    const bearer = bearerTokenOf(settings);
    if (bearer !== undefined) return { authorization: `Bearer ${bearer}` };
    throw BedrockCredentialsMissing('No AWS credentials for the bedrock endpoint: set access_key_id and secret_access_key (llm_meta.options or the plugin config), AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or a Bedrock API key (bearer_token, AWS_BEARER_TOKEN_BEDROCK).');
  }
  const region = regionOf(settings, url.hostname);
  if (region === undefined) throw BedrockCredentialsMissing('No AWS region for the bedrock endpoint: set region, AWS_REGION, or use a bedrock-runtime.<region>.amazonaws.com host.');
  const signer = new SignatureV4({ service: str(settings.signing_name) ?? 'bedrock', region, credentials, sha256: Sha256 });
  const q = req.path.indexOf('?');
  const path = q === -1 ? req.path : req.path.slice(0, q);
  const query: Record<string, string | string[]> = {};
  if (q !== -1) for (const [k, v] of new URLSearchParams(req.path.slice(q + 1))) query[k] = k in query ? [query[k]!].flat().concat(v) : v;
  // Host as undici sends it: the origin's host, the port only when not the scheme's default.
  const headers: Record<string, string> = { host: url.host };
  for (const [k, v] of Object.entries(req.headers)) if (k !== 'accept-encoding') headers[k.toLowerCase()] = v;
  const signed = await signer.sign({
    method: req.method,
    protocol: url.protocol,
    hostname: url.hostname,
    path,
    query,
    headers,
    ...(req.body === undefined ? {} : { body: req.body }),
  });
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(signed.headers)) if (k === 'authorization' || k.startsWith('x-amz-')) out[k] = String(v);
  return out;
}
