// A streamed answer's bytes for the audit record, as the client got them (after every chunk hook, guardrail
// redaction included), kept up to audit.bodies.max_bytes: the rest is only counted. Copied as it goes, so a kept
// piece never pins the socket's or the upstream's larger buffers.
import { defineAttribute } from '../../attributes.js';

export class BodyCapture {
  readonly #chunks: Buffer[] = [];
  #kept = 0;
  /** Every byte written to the client, kept or not. */
  total = 0;

  constructor(readonly max: number) {}

  add(chunk: Buffer): void {
    this.total += chunk.length;
    const room = this.max - this.#kept;
    if (room <= 0) return;
    const part = Buffer.from(chunk.length <= room ? chunk : chunk.subarray(0, room));
    this.#chunks.push(part);
    this.#kept += part.length;
  }

  /** The record's `response_body`: the kept text, the whole size, and whether it was cut. */
  result(): { text: string; bytes: number; truncated: boolean } {
    return { text: Buffer.concat(this.#chunks, this.#kept).toString('utf8'), bytes: this.total, truncated: this.total > this.#kept };
  }
}

/** The request's streamed-body capture, set when the audit record wants its response body. */
export const StreamedBodyCapture = defineAttribute<BodyCapture>('dgp.audit.streamed_body');
