// The service-account key a vertex-ai endpoint signs its token requests with: inline JSON (text or object), a file, or
// $GOOGLE_APPLICATION_CREDENTIALS, in that order. Files are read once per path and kept; a bad key is a config error.
import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { isPlainObject } from '../../../core/llm/index.js';
import { VertexCredentials } from './errors.js';

export interface ServiceAccount {
  readonly clientEmail: string;
  readonly privateKey: string;
  readonly privateKeyId: string | undefined;
  readonly tokenUri: string;
  readonly projectId: string | undefined;
}

const GOOGLE_TOKEN_URI = 'https://oauth2.googleapis.com/token';

export function parseServiceAccount(value: unknown, source: string): ServiceAccount {
  let obj: unknown = value;
  if (typeof value === 'string') {
    try {
      obj = JSON.parse(value);
    } catch {
      throw VertexCredentials(`the service account from ${source} is not JSON`, { hint: 'give the whole key file (the JSON object Google Cloud downloads)' });
    }
  }
  if (!isPlainObject(obj) || typeof obj.client_email !== 'string' || typeof obj.private_key !== 'string' || !obj.private_key.includes('PRIVATE KEY')) {
    throw VertexCredentials(`the service account from ${source} has no client_email and private_key`, { hint: 'use a key of type service_account (gcloud iam service-accounts keys create)' });
  }
  return {
    clientEmail: obj.client_email,
    privateKey: obj.private_key,
    privateKeyId: typeof obj.private_key_id === 'string' ? obj.private_key_id : undefined,
    tokenUri: typeof obj.token_uri === 'string' && obj.token_uri !== '' ? obj.token_uri : GOOGLE_TOKEN_URI,
    projectId: typeof obj.project_id === 'string' && obj.project_id !== '' ? obj.project_id : undefined,
  };
}

export class ServiceAccounts {
  readonly #configDir: string;
  readonly #env: () => string | undefined;
  readonly #files = new Map<string, ServiceAccount>();
  readonly #inline = new Map<string, ServiceAccount>();

  constructor(configDir: string, env: () => string | undefined = () => process.env.GOOGLE_APPLICATION_CREDENTIALS) {
    this.#configDir = configDir;
    this.#env = env;
  }

  /** The endpoint's service account; an api_key holding JSON counts as inline. Undefined: none is configured. */
  resolve(settings: Readonly<Record<string, unknown>>, apiKey: string): ServiceAccount | undefined {
    const inline = settings.service_account_json ?? (apiKey.trimStart().startsWith('{') ? apiKey : undefined);
    if (inline !== undefined) {
      const text = typeof inline === 'string' ? inline : JSON.stringify(inline);
      let sa = this.#inline.get(text);
      if (sa === undefined) {
        sa = parseServiceAccount(inline, 'service_account_json');
        if (this.#inline.size >= 64) this.#inline.clear();
        this.#inline.set(text, sa);
      }
      return sa;
    }
    const file = typeof settings.service_account_file === 'string' ? settings.service_account_file : this.#env();
    if (file === undefined || file === '') return undefined;
    const path = isAbsolute(file) ? file : join(this.#configDir, file);
    let sa = this.#files.get(path);
    if (sa === undefined) {
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch (err) {
        throw VertexCredentials(`the service-account file ${path} cannot be read: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, { hint: 'check service_account_file or GOOGLE_APPLICATION_CREDENTIALS' });
      }
      sa = parseServiceAccount(text, path);
      this.#files.set(path, sa);
    }
    return sa;
  }
}
