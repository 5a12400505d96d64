// Types of payloads.mjs for the TypeScript that imports it (the bench's tests).
export function unaryBody(): Buffer;
export function streamEvents(contentChunks?: number): Buffer[];
export function slowEvent(i: number, stampUs: number, padding: string, last: boolean): string;
export function usageEvent(): string;
export const STREAM_TAIL: string;
