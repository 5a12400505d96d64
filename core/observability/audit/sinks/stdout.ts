// The stdout sink: JSON lines on standard output (the default way to ship records: a log collector tails it).
import { jsonl, type AuditEntry, type AuditSink } from './sink.js';

export class StdoutSink implements AuditSink {
  readonly name = 'stdout';

  write(batch: readonly AuditEntry[]): Promise<void> {
    return new Promise((resolve, reject) => {
      process.stdout.write(jsonl(batch), (err) => (err ? reject(err) : resolve()));
    });
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
