// Decompresses a COPY of a gzip / deflate / br upstream body for parsing; the client's bytes are never touched. HTTP
// "deflate" is zlib-wrapped (RFC 9110 §8.4.1.2) but raw DEFLATE is common (Pixiu only reads raw): both are accepted.
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { Transform } from 'node:stream';

const SUPPORTED = new Set(['gzip', 'x-gzip', 'deflate', 'br']);

/** The Content-Encoding codings in the order they were applied; [] for identity. Undefined if one is unsupported. */
export function contentCodings(value: string | string[] | number | undefined): string[] | undefined {
  const text = Array.isArray(value) ? value.join(',') : value === undefined ? '' : String(value);
  const codings = text
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== '' && c !== 'identity');
  return codings.every((c) => SUPPORTED.has(c)) ? codings : undefined;
}

const gunzip = promisify(zlib.gunzip);
const inflate = promisify(zlib.inflate);
const inflateRaw = promisify(zlib.inflateRaw);
const brotli = promisify(zlib.brotliDecompress);

/** Decodes `body` (off the event loop, in libuv's pool), output capped at maxBytes. */
export async function decompressCopy(body: Buffer, codings: readonly string[], maxBytes: number): Promise<Buffer> {
  let out = body;
  const opts = { maxOutputLength: maxBytes };
  for (const coding of [...codings].reverse()) {
    if (coding === 'br') out = await brotli(out, opts);
    else if (coding === 'deflate') out = isZlibHeader(out) ? await inflate(out, opts) : await inflateRaw(out, opts);
    else out = await gunzip(out, opts);
  }
  return out;
}

/** zlib streams start with CMF/FLG where CM = 8 and (CMF*256 + FLG) % 31 === 0. */
function isZlibHeader(b: Buffer): boolean {
  return b.length >= 2 && (b[0]! & 0x0f) === 8 && ((b[0]! << 8) | b[1]!) % 31 === 0;
}

/** Incremental decoder fed with copies of the client's chunks; decoded bytes go to onData, failures stop it quietly. */
export class StreamDecoder {
  private chain: Transform[] | undefined;
  private failed: Error | undefined;
  private done: Promise<void> | undefined;

  constructor(
    private readonly codings: readonly string[],
    private readonly onData: (decoded: Buffer) => void,
  ) {}

  get error(): Error | undefined {
    return this.failed;
  }

  write(chunk: Buffer): void {
    if (this.failed || chunk.length === 0) return;
    this.chain ??= this.build(chunk);
    this.chain[0]!.write(Buffer.from(chunk));
  }

  /** Flushes the decoder; resolves when every decoded byte was handed to onData (or the decoder failed). */
  end(): Promise<void> {
    if (this.done) return this.done;
    const chain = this.chain;
    if (!chain || this.failed) return (this.done = Promise.resolve());
    const last = chain[chain.length - 1]!;
    this.done = new Promise<void>((resolve) => {
      last.once('end', resolve);
      last.once('close', resolve);
      for (const t of chain) t.once('error', () => resolve());
    });
    chain[0]!.end();
    return this.done;
  }

  private build(first: Buffer): Transform[] {
    const single = this.codings.length === 1;
    const chain = [...this.codings].reverse().map((c) => {
      if (c === 'br') return zlib.createBrotliDecompress();
      if (c === 'deflate') return single && !isZlibHeader(first) ? zlib.createInflateRaw() : zlib.createInflate();
      return zlib.createGunzip();
    });
    for (let i = 0; i < chain.length - 1; i++) chain[i]!.pipe(chain[i + 1]!);
    chain[chain.length - 1]!.on('data', (d: Buffer) => {
      if (!this.failed) this.onData(d);
    });
    for (const t of chain) {
      t.on('error', (err: Error) => {
        this.failed ??= err;
        for (const other of chain) other.destroy();
      });
    }
    return chain;
  }
}
