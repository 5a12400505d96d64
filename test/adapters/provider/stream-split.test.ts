// A stream translates to the same bytes whatever the chunk boundaries: split in two at every byte (inside UTF-8
// characters, CRLF pairs and JSON included), fed byte by byte, and cut at seeded random points.
import t from 'tap';
import type { WireApi } from '../../../core/llm/index.js';
import { CLIENT_APIS, PROVIDERS, exchange, readFixture, readJson, translateStream, upstreamDir } from './helpers.js';

const API_OF: Record<string, WireApi> = { openai: 'openai', 'azure-openai': 'openai', anthropic: 'anthropic', gemini: 'gemini' };

/** Deterministic PRNG (mulberry32): the same "random" splits on every run. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

function cases(): Array<{ name: string; make: () => ReturnType<typeof exchange>; input: Buffer }> {
  const out: Array<{ name: string; make: () => ReturnType<typeof exchange>; input: Buffer }> = [];
  for (const client of CLIENT_APIS) {
    for (const provider of PROVIDERS) {
      if (provider === 'azure-openai') continue; // same bytes as openai
      const body = readJson(`requests/${client}.json`);
      const input = readFixture(`${upstreamDir(provider)}/stream.sse`);
      if (API_OF[provider] === client) {
        // Same API with a mapped model: every event naming the model is rewritten, the rest passes through.
        if (client === 'gemini') continue; // Gemini names the model in the path: nothing to rewrite
        const llmMeta = { model_map: { 'chat-default': 'real-model' } };
        out.push({ name: `${client} → ${provider} (relabel)`, make: () => exchange({ clientApi: client, provider, body, stream: true, llmMeta }), input });
      } else {
        out.push({ name: `${client} → ${provider}`, make: () => exchange({ clientApi: client, provider, body, stream: true }), input });
      }
    }
  }
  return out;
}

for (const c of cases()) {
  t.test(c.name, async (t) => {
    const whole = translateStream(c.make(), [c.input]);
    t.ok(whole.length > 0, 'the whole stream translates to something');
    let mismatches = 0;
    for (let i = 0; i <= c.input.length; i++) {
      const out = translateStream(c.make(), [c.input.subarray(0, i), c.input.subarray(i)]);
      if (!out.equals(whole)) {
        if (mismatches++ === 0) t.fail(`split at byte ${i} differs`, { found: out.toString(), wanted: whole.toString() });
      }
    }
    t.equal(mismatches, 0, `identical output for all ${c.input.length + 1} two-piece splits`);
    const bytes = Array.from({ length: c.input.length }, (_, i) => c.input.subarray(i, i + 1));
    t.same(translateStream(c.make(), bytes), whole, 'identical output fed one byte at a time');
    const rnd = prng(c.input.length);
    for (let round = 0; round < 25; round++) {
      const cuts = Array.from({ length: 1 + Math.floor(rnd() * 12) }, () => Math.floor(rnd() * c.input.length)).sort((a, b) => a - b);
      const pieces = [0, ...cuts].map((from, k, all) => c.input.subarray(from, k + 1 < all.length ? all[k + 1] : c.input.length));
      const out = translateStream(c.make(), pieces);
      if (!out.equals(whole)) t.fail(`random cut ${cuts.join(',')} differs`);
    }
    t.pass('identical output for 25 seeded random multi-way cuts');
  });
}
