// Shared by the third-party SDK tests (the Vercel AI SDK, LangChain, the Google GenAI SDK): one gateway with a
// listener per upstream provider (OpenAI, Anthropic, Gemini mocks that reject what the real APIs reject), and one
// scripted answer: plain text, the weather object as JSON text, or as the tool call some SDKs ask structured output by.
import { startGateway, type TestGateway } from '../../helpers/gateway.js';
import type { MockProvider } from '../../helpers/mock-providers/index.js';
import { gatewayYaml, startMock } from '../providers/helpers.js';

export const WEATHER = { city: 'Paris', temp: 21 };
export const HELLO = 'hello there';
export const UPSTREAMS = ['oai', 'ant', 'gem'] as const;
export type Upstream = (typeof UPSTREAMS)[number];

/** What the mocks answer: the weather object when the prompt asks for it (as a tool call when the SDK asked for one). */
export function script(req: { body: unknown; path?: string }) {
  const s = JSON.stringify(req.body);
  const usage = { input: 12, output: 2 };
  if (!s.includes('weather')) return { text: HELLO, usage };
  // An SDK that asks structured output through a forced tool (the Anthropic providers) gets the object as its input.
  // Forced, in each API's form: Anthropic tool_choice, OpenAI Chat and Responses tool_choice, Gemini allowedFunctionNames.
  const forced =
    /"tool_choice":\{"type":"tool","name":"([^"]+)"/.exec(s) ??
    /"tool_choice":\{"type":"function","function":\{"name":"([^"]+)"/.exec(s) ??
    /"tool_choice":\{"type":"function","name":"([^"]+)"/.exec(s) ??
    /"allowedFunctionNames":\["([^"]+)"/.exec(s);
  if (forced !== null) return { toolCalls: [{ id: 'toolu_01', name: forced[1]!, args: WEATHER }], usage };
  return { text: JSON.stringify(WEATHER), usage };
}

export interface SdkGateway {
  gw: TestGateway;
  mocks: Record<Upstream, MockProvider>;
  /** The listener's base URL for an upstream. */
  url(u: Upstream): string;
}

export async function startSdkGateway(t: { teardown(fn: () => Promise<void>): void }): Promise<SdkGateway> {
  const mocks = { oai: await startMock('openai', script), ant: await startMock('anthropic', script), gem: await startMock('gemini', script) };
  const gw = await startGateway(
    gatewayYaml([
      { name: 'oai', cluster: 'oai', endpoints: [{ id: 'oai', provider: 'openai', port: mocks.oai.port }] },
      { name: 'ant', cluster: 'ant', endpoints: [{ id: 'ant', provider: 'anthropic', port: mocks.ant.port }] },
      { name: 'gem', cluster: 'gem', endpoints: [{ id: 'gem', provider: 'gemini', port: mocks.gem.port }] },
    ]),
  );
  t.teardown(async () => {
    await gw.close();
    await Promise.all(Object.values(mocks).map((m) => m.close()));
  });
  return { gw, mocks, url: (u) => gw.url(u) };
}
