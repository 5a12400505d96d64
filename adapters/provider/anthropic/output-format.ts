// Structured output between the pivot's `response_format` and Anthropic's `output_config.format`
// ({type: 'json_schema', schema}; the beta `output_format` carries the same object). Anthropic constrains output only
// to a schema: OpenAI's schema-less json_object mode has no equivalent and is refused rather than answered in prose.
import { badClientRequest, isPlainObject, untranslatable, type ChatRequest, type CodecContext, type JsonObject } from '../../../core/llm/index.js';

/** Pivot → the Anthropic body's `output_config`, or undefined for plain text. */
export function outputConfigOf(req: ChatRequest, cx: CodecContext): JsonObject | undefined {
  const rf = req.response_format;
  if (!rf || rf.type === 'text') return undefined;
  if (rf.type === 'json_schema') {
    const schema = rf.json_schema?.schema;
    if (!isPlainObject(schema)) throw badClientRequest('response_format.json_schema.schema', 'must be a JSON schema object');
    return { format: { type: 'json_schema', schema } };
  }
  if (rf.type === 'json_object') {
    throw untranslatable('response_format', cx.provider, 'Anthropic structured output needs a JSON schema (json_object mode has none); send response_format {type: "json_schema"}');
  }
  throw badClientRequest('response_format.type', 'must be text, json_object or json_schema');
}

/** An Anthropic client's `output_config.format` (or beta `output_format`) → the pivot's response_format. */
export function responseFormatOf(body: JsonObject, cx: CodecContext): ChatRequest['response_format'] {
  const config = body.output_config;
  if (config !== undefined && !isPlainObject(config)) throw badClientRequest('output_config', 'must be an object');
  if (isPlainObject(config)) {
    for (const k of Object.keys(config)) if (k !== 'format') cx.log.debug({ field: `output_config.${k}`, provider: cx.provider }, 'dropped an Anthropic output setting with no equivalent');
  }
  const format = (isPlainObject(config) ? config.format : undefined) ?? body.output_format;
  if (format === undefined || format === null) return undefined;
  if (!isPlainObject(format) || format.type !== 'json_schema') throw badClientRequest('output_config.format.type', 'must be "json_schema"');
  if (!isPlainObject(format.schema)) throw badClientRequest('output_config.format.schema', 'must be a JSON schema object');
  return { type: 'json_schema', json_schema: { name: 'response', schema: format.schema, strict: true } };
}
