// Strict mock upstreams for OpenAI, Anthropic and Gemini (issue 6): each rejects what the real API rejects and answers
// in that API's exact unary and streamed formats, tool calls included. Servers listen on 127.0.0.1 port 0.
export { startMockOpenAi, validateOpenAi } from './openai.js';
export { startMockAnthropic, validateAnthropic } from './anthropic.js';
export { startMockGemini, validateGemini, type GeminiMockOptions } from './gemini.js';
export { startMockBedrock, verifySigV4, validateConverse, eventMessage, BAD_SIGNATURE_MESSAGE, type BedrockMockOptions, type AwsTestCredentials } from './bedrock.js';
export type { MockProvider, MockReply, ReceivedRequest, Rejection, ReplyScript } from './server.js';
