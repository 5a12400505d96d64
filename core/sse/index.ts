// Server-Sent Events: the incremental WHATWG parser and the serializer (exported to plugins through core/index.ts).
export { SseParser, createSseParser } from './parser.js';
export type { SseEvent, SseFrame, SseParserOptions } from './parser.js';
export { serializeSseEvent, SSE_DONE } from './serializer.js';
export type { SseOutgoingEvent } from './serializer.js';
export { SseBlockReader, parseSseBlock } from './blocks.js';
export { SseKeyFinder } from './key-finder.js';
