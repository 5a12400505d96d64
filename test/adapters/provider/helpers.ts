// Shared by the provider codec tests: the four codecs built through their manifests, an exchange builder with
// deterministic ids and clock, a log recorder, fixture paths, and golden files (DGP_UPDATE_GOLDEN=1 rewrites them).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { IncomingHttpHeaders } from 'node:http';
import { type LlmMeta, type PluginManifest } from '../../../core/index.js';
import { createTranslation, detectOperation, type CodecLog, type LlmExchange, type ProviderCodec, type AttemptTranslation, type WireApi } from '../../../core/llm/index.js';
import anthropic from '../../../adapters/provider/anthropic/index.js';
import azure from '../../../adapters/provider/azure-openai/index.js';
import gemini from '../../../adapters/provider/gemini/index.js';
import openai from '../../../adapters/provider/openai/index.js';
import { stubFactoryContext } from '../../helpers/factory-context.js';
import { LlmExchange as LlmExchangeClass } from '../../../core/llm/index.js';

export const MANIFESTS: Record<string, PluginManifest> = { openai, 'azure-openai': azure, anthropic, gemini };
export const PROVIDERS = ['openai', 'azure-openai', 'anthropic', 'gemini'] as const;
export const CLIENT_APIS: readonly WireApi[] = ['openai', 'anthropic', 'gemini'];
export type ProviderName = (typeof PROVIDERS)[number];

export function codec(name: string, config: Record<string, unknown> = {}): ProviderCodec {
  return MANIFESTS[name]!.create(config, stubFactoryContext({ kind: MANIFESTS[name]!.kind })) as ProviderCodec;
}

export interface LogRecord {
  level: 'debug' | 'warn';
  obj: object;
  msg: string | undefined;
}

export function recorder(): CodecLog & { records: LogRecord[] } {
  const records: LogRecord[] = [];
  return {
    records,
    debug: (obj, msg) => records.push({ level: 'debug', obj, msg }),
    warn: (obj, msg) => records.push({ level: 'warn', obj, msg }),
  };
}

/** The path a client of each API uses for the shared chat scenario. */
export function clientPath(api: WireApi, model: string, stream: boolean): { path: string; query: string } {
  if (api === 'openai') return { path: '/v1/chat/completions', query: '' };
  if (api === 'anthropic') return { path: '/v1/messages', query: '' };
  return { path: `/v1beta/models/${model}:${stream ? 'streamGenerateContent' : 'generateContent'}`, query: stream ? 'alt=sse' : '' };
}

export interface ExchangeOptions {
  clientApi: WireApi;
  provider: string;
  body: unknown;
  stream?: boolean;
  path?: string;
  query?: string;
  method?: string;
  headers?: IncomingHttpHeaders;
  llmMeta?: Partial<LlmMeta>;
  providerConfig?: Record<string, unknown>;
  log?: CodecLog;
  /** The request's LLM exchange, fed by a translated answer. */
  lx?: LlmExchange;
  /** A filter wants the final usage (StreamUsageWanted). */
  wantUsage?: boolean;
}

/** One attempt's exchange with ids `<prefix>test<n>` and the clock at 1700000000. */
export function exchange(o: ExchangeOptions): AttemptTranslation {
  let n = 0;
  const model = 'chat-default';
  const stream = o.stream ?? false;
  const body = o.clientApi === 'gemini' || !stream || typeof o.body !== 'object' ? o.body : { ...(o.body as object), stream: true };
  const where = o.path === undefined ? clientPath(o.clientApi, model, stream) : { path: o.path, query: o.query ?? '' };
  const op = detectOperation(where.path);
  if (!op) throw new Error(`no operation for ${where.path}`);
  const rawBody = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  return createTranslation({
    clientApi: o.clientApi,
    request: { operation: op.operation, method: o.method ?? 'POST', path: where.path, query: where.query, headers: o.headers ?? {}, body },
    rawBody,
    endpoint: { llmMeta: { provider: o.provider, api_key: 'sk-endpoint', fallback: false, health_check_interval: 0, retry_policy: { name: 'NoRetry', config: {} }, ...o.llmMeta } },
    clientCodec: codec(o.clientApi),
    providerCodec: codec(o.provider, o.providerConfig),
    log: o.log ?? recorder(),
    newId: (prefix) => `${prefix}test${++n}`,
    now: () => 1700000000,
    ...(o.lx === undefined ? {} : { exchange: o.lx }),
    ...(o.wantUsage === undefined ? {} : { wantUsage: o.wantUsage }),
  });
}

const ROOT = fileURLToPath(new URL('../../fixtures/providers/', import.meta.url));

export function fixturePath(rel: string): string {
  return ROOT + rel;
}

export function readFixture(rel: string): Buffer {
  return readFileSync(ROOT + rel);
}

export function readJson<T = unknown>(rel: string): T {
  return JSON.parse(readFixture(rel).toString('utf8')) as T;
}

/** The upstream fixture folder of a provider (azure-openai speaks OpenAI). */
export function upstreamDir(provider: string): string {
  return provider === 'azure-openai' ? 'upstream/openai' : `upstream/${provider}`;
}

export const UPDATE = process.env.DGP_UPDATE_GOLDEN === '1';

/** Golden text: written when DGP_UPDATE_GOLDEN=1, else read (undefined when missing). */
export function golden(rel: string, actual: string): string | undefined {
  const file = ROOT + rel;
  if (UPDATE) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, actual);
  }
  return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
}

export const pretty = (v: unknown): string => `${JSON.stringify(v, null, 2)}\n`;

/** Feeds `buf` to a fresh stream translator in the given pieces and returns everything it produced. */
export function translateStream(ex: AttemptTranslation, pieces: Buffer[]): Buffer {
  const { translator } = ex.openStream(200, { 'content-type': 'text/event-stream' });
  const out: Buffer[] = pieces.map((p) => translator.feed(p));
  out.push(translator.end());
  return Buffer.concat(out);
}

/** A bare LlmExchange for codec tests, and a settle that needs no request context. */
export function bareExchange(clientApi: WireApi): LlmExchange {
  return new LlmExchangeClass({ clientApi, operation: 'chat', pivot: async () => undefined });
}

export const noContext = { get: () => undefined, set: () => undefined };
