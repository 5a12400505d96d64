// Client requests for each API shape, streamed or not, used by the tokenizer tests.
import type { TestContextInit } from '../../../helpers/request-context.js';
import { MESSAGES } from './upstream-shapes.js';

export type Api = 'openai' | 'anthropic' | 'gemini';

export function request(api: Api, stream: boolean, extra: Record<string, unknown> = {}): TestContextInit {
  if (api === 'openai') {
    return { url: '/v1/chat/completions', clientApi: 'openai', cluster: 'llm', body: { model: 'gpt-4o', messages: MESSAGES, ...(stream ? { stream: true } : {}), ...extra } };
  }
  if (api === 'anthropic') {
    return {
      url: '/v1/messages',
      clientApi: 'anthropic',
      cluster: 'llm',
      body: { model: 'claude-sonnet-4-20250514', max_tokens: 256, system: MESSAGES[0]!.content, messages: [MESSAGES[1]], ...(stream ? { stream: true } : {}), ...extra },
    };
  }
  return {
    url: `/v1beta/models/gemini-2.5-flash:${stream ? 'streamGenerateContent?alt=sse' : 'generateContent'}`,
    clientApi: 'gemini',
    cluster: 'llm',
    body: { systemInstruction: { parts: [{ text: MESSAGES[0]!.content }] }, contents: [{ role: 'user', parts: [{ text: MESSAGES[1]!.content }] }], ...extra },
  };
}
