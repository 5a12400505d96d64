// Turning a question into a vector: the built-in lexical embedder (synchronous, no egress), or any OpenAI-compatible
// `/v1/embeddings` endpoint of a configured cluster (OpenAI, a self-hosted TEI / vLLM / Ollama server...), its
// vectors cached by the text's hash so a repeated question costs one call. Vectors are L2-normalised here, so the
// index compares them by a dot product whatever the provider returns.
import { request } from 'undici';
import type { ClusterManagerApi } from '../../../../core/index.js';
import { hashOf } from '../key.js';
import type { SemanticConfig } from '../schema.js';
import { lexicalEmbed } from './lexical.js';

export type Embed = (text: string) => Promise<Float32Array>;

type UpstreamEmbedder = Extract<SemanticConfig['embedder'], { type: 'upstream' }>;

function normalise(v: Float32Array): Float32Array {
  let n = 0;
  for (const x of v) n += x * x;
  n = Math.sqrt(n);
  if (n > 0) for (let i = 0; i < v.length; i++) v[i]! /= n;
  return v;
}

export function createEmbedder(cfg: SemanticConfig['embedder'], clusters: ClusterManagerApi, timeoutMs: number): Embed {
  if (cfg.type === 'lexical') {
    const dims = cfg.dims ?? 512;
    return async (text) => lexicalEmbed(text, dims);
  }
  const memo = new Map<string, Float32Array>();
  return async (text) => {
    const key = hashOf(text);
    const known = memo.get(key);
    if (known !== undefined) return known;
    const v = normalise(await callUpstream(cfg, clusters, text, timeoutMs));
    if (memo.size >= 10_000) memo.delete(memo.keys().next().value!);
    memo.set(key, v);
    return v;
  };
}

async function callUpstream(cfg: UpstreamEmbedder, clusters: ClusterManagerApi, text: string, timeoutMs: number): Promise<Float32Array> {
  const path = cfg.path ?? '/v1/embeddings';
  const ep = clusters.pickEndpoint(cfg.cluster, { method: 'POST', url: path, headers: {} });
  if (ep === undefined) throw new Error(`embeddings cluster ${cfg.cluster} has no healthy endpoint`);
  const llm = ep.llmMeta;
  const scheme = llm?.scheme ?? 'https';
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (typeof llm?.api_key === 'string' && llm.api_key !== '') headers.authorization = `Bearer ${llm.api_key}`;
  const res = await request(`${scheme}://${ep.authority}${path}`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ model: cfg.model, input: text }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const body = (await res.body.json().catch(() => undefined)) as { data?: Array<{ embedding?: unknown }> } | undefined;
  const vec = body?.data?.[0]?.embedding;
  if (res.statusCode !== 200 || !Array.isArray(vec) || vec.length === 0 || !vec.every((x) => typeof x === 'number')) {
    throw new Error(`embeddings endpoint ${ep.id} of cluster ${cfg.cluster} answered ${res.statusCode} without an embedding`);
  }
  return Float32Array.from(vec as number[]);
}
