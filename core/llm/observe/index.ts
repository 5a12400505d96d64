// The LLM layer's facts at the end of every request, for the host's audit record and spans: registered with the host
// when the LLM layer is loaded (any LLM filter imports it), so the host itself never imports the LLM layer.
import { addRequestObserver } from '../../index.js';
import { llmAuditFields, wantsBodies } from './audit-fields.js';
import { llmSpanFields } from './span-fields.js';

addRequestObserver('dgp.llm', { audit: llmAuditFields, span: llmSpanFields, wantsBodies });

export { startAttemptSpan } from './attempt-span.js';
export * as genAiSemconv from './semconv.js';
