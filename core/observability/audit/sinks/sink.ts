// The contract of an audit sink: it takes batches of serialised records, in order, one batch at a time.
// write resolves once the sink has the batch (written, or put in its dead-letter file: 'dead_letter'), rejects when
// the records are lost for it. close flushes and releases what the sink holds.

/** One queued record: its id (idempotent sinks skip an id they already have) and its JSON text. */
export interface AuditEntry {
  readonly id: string;
  readonly line: string;
}

export interface AuditSink {
  /** `type` of the sink config, plus its target where several may exist (e.g. `file:/var/log/audit.jsonl`). */
  readonly name: string;
  write(batch: readonly AuditEntry[]): Promise<void | 'dead_letter'>;
  close(): Promise<void>;
}

/** The batch as JSONL text. */
export function jsonl(batch: readonly AuditEntry[]): string {
  let out = '';
  for (const e of batch) out += `${e.line}\n`;
  return out;
}
