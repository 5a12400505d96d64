// The file sink: JSONL appended to one file, rotated by size (audit.jsonl → audit.jsonl.1 → … → .max_files, the
// oldest deleted). One writer per path per process: the host shares this sink across reloads while its config is
// unchanged (a service), so two generations never rotate the same file under each other.
import { mkdir, open, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { jsonl, type AuditEntry, type AuditSink } from './sink.js';

export interface FileSinkOptions {
  path: string;
  /** 0 = never rotate. */
  maxBytes: number;
  maxFiles: number;
}

export class FileSink implements AuditSink {
  readonly name: string;
  readonly #o: FileSinkOptions;
  #file: FileHandle | undefined;
  #size = 0;

  constructor(o: FileSinkOptions) {
    this.#o = o;
    this.name = `file:${o.path}`;
  }

  async write(batch: readonly AuditEntry[]): Promise<void> {
    const text = Buffer.from(jsonl(batch));
    const file = await this.#open();
    if (this.#o.maxBytes > 0 && this.#size > 0 && this.#size + text.length > this.#o.maxBytes) {
      await this.#rotate();
      return this.write(batch);
    }
    await file.appendFile(text);
    this.#size += text.length;
  }

  async #open(): Promise<FileHandle> {
    if (this.#file !== undefined) return this.#file;
    await mkdir(dirname(this.#o.path), { recursive: true });
    this.#file = await open(this.#o.path, 'a', 0o640);
    this.#size = (await stat(this.#o.path)).size;
    return this.#file;
  }

  async #rotate(): Promise<void> {
    await this.#file?.close();
    this.#file = undefined;
    const p = this.#o.path;
    await rm(`${p}.${this.#o.maxFiles}`, { force: true });
    for (let i = this.#o.maxFiles - 1; i >= 1; i--) await rename(`${p}.${i}`, `${p}.${i + 1}`).catch(() => undefined);
    await rename(p, `${p}.1`);
  }

  async close(): Promise<void> {
    await this.#file?.close();
    this.#file = undefined;
  }
}
