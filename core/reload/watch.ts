// Watches the config file, the files it references and the plugin folders (chokidar), and turns bursts of file events
// into one reload: debounced, never two at once, and a change that lands while a reload runs queues exactly one more.
// Editors save in several steps (rename-over-write, truncate-then-write, partial writes), so the file is read only
// after the burst settles, and a failure right after a change is retried once before it is reported. As insurance
// against events lost in the platform watcher, the watched files are stat'ed again after each reload and any that
// changed since it began queue another one.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import type { Logger } from 'pino';
import { isRelevant, watchRoots, type WatchTargets } from './watch-targets.js';

export interface WatchOptions {
  /** Quiet time after the last file event before reloading, ms. Default 100. */
  debounceMs?: number;
  /** Most time a continuous stream of events may postpone a reload, ms. Default 1000. */
  maxWaitMs?: number;
  /** Wait before the one retry of a reload that failed right after a change (maybe a half-written file), ms. Default 250. */
  retryMs?: number;
}

export interface WatchReloadRequest {
  trigger: 'watch';
  /** Paths whose events led to this reload. */
  changed: string[];
  retryAfterMs: number;
  /** True once another change arrived after this reload began: its failure is stale and need not be reported. */
  superseded(): boolean;
}

export interface ConfigWatcherOptions extends WatchOptions {
  log: Logger;
  reload(request: WatchReloadRequest): Promise<unknown>;
}

const EVENTS = new Set(['add', 'change', 'unlink', 'unlinkDir']);

export class ConfigWatcher {
  private fsw: FSWatcher | undefined;
  private targets: WatchTargets = { files: [], dirs: [] };
  private targetsKey = '';
  private timer: NodeJS.Timeout | undefined;
  private burstStart = 0;
  private readonly changed = new Set<string>();
  private running: Promise<void> | undefined;
  private again = false;
  private dirty = false;
  private closed = false;
  private readonly debounceMs: number;
  private readonly maxWaitMs: number;
  private readonly retryMs: number;

  constructor(private readonly opts: ConfigWatcherOptions) {
    this.debounceMs = opts.debounceMs ?? 100;
    this.maxWaitMs = opts.maxWaitMs ?? 1000;
    this.retryMs = opts.retryMs ?? 250;
  }

  /** Watches `targets` (replacing the previous set when it differs); resolves once chokidar has scanned them. */
  async retarget(targets: WatchTargets): Promise<void> {
    const key = JSON.stringify([[...targets.files].sort(), [...targets.dirs].sort()]);
    if (this.closed || key === this.targetsKey) return;
    this.targetsKey = key;
    this.targets = targets;
    // The new watcher is ready before the old one goes, so no event falls in between (duplicates are debounced).
    const next = watch(watchRoots(targets), {
      ignoreInitial: true,
      ignored: (path: string) => !isRelevant(this.targets, path),
      persistent: true,
    });
    next.on('all', (event, path) => {
      if (EVENTS.has(event) && isRelevant(this.targets, path)) this.onEvent(path);
    });
    // chokidar drops a `change` that follows the previous one on the same path within 50 ms (no trailing edge), so
    // the last write of a quick burst may never become an event; the raw fs.watch events are not throttled.
    next.on('raw', (_event, name, details) => {
      const path = rawPath(this.targets, name, details);
      if (path) this.onEvent(path);
    });
    next.on('error', (err) => this.opts.log.warn({ err }, 'config watcher error'));
    await new Promise<void>((resolve) => next.once('ready', resolve));
    const previous = this.fsw;
    this.fsw = next;
    await previous?.close();
    if (this.closed) await next.close();
    this.opts.log.debug({ files: targets.files, dirs: targets.dirs }, 'watching config and plugin folders');
  }

  get watched(): WatchTargets {
    return this.targets;
  }

  /** Resolves when no reload is scheduled or running (tests; shutdown). */
  async settled(): Promise<void> {
    while (this.timer || this.running) await (this.running ?? new Promise((r) => setTimeout(r, this.debounceMs)));
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.again = false;
    await this.fsw?.close();
    this.fsw = undefined;
    await this.running;
  }

  private onEvent(path: string): void {
    if (this.closed) return;
    this.changed.add(path);
    this.dirty = true;
    const now = Date.now();
    if (!this.timer) this.burstStart = now;
    clearTimeout(this.timer);
    const wait = Math.max(0, Math.min(this.debounceMs, this.burstStart + this.maxWaitMs - now));
    this.timer = setTimeout(() => this.fire(), wait);
  }

  private fire(): void {
    this.timer = undefined;
    if (this.running) {
      this.again = true;
      return;
    }
    const changed = [...this.changed];
    this.changed.clear();
    this.dirty = false;
    this.again = false;
    const before = new Map(this.targets.files.map((f) => [f, stamp(f)]));
    const changedSince = (): string[] => [...before].filter(([f, s]) => stamp(f) !== s).map(([f]) => f);
    this.running = this.opts
      .reload({ trigger: 'watch', changed, retryAfterMs: this.retryMs, superseded: () => this.dirty || this.closed || changedSince().length > 0 })
      .then(
        () => undefined,
        (err: unknown) => this.opts.log.error({ err }, 'reload after a file change failed unexpectedly'),
      )
      .finally(() => {
        this.running = undefined;
        if (this.closed) return;
        for (const f of changedSince()) this.onEvent(f);
        if (this.again && !this.timer) this.fire();
      });
  }
}

/** The watched path a raw fs.watch event is about: `name` inside a watched folder, or the watched file itself. */
function rawPath(targets: WatchTargets, name: string, details: unknown): string | undefined {
  const watched = (details as { watchedPath?: unknown } | undefined)?.watchedPath;
  if (typeof watched !== 'string') return undefined;
  if (name) {
    const inside = join(watched, name);
    if (isRelevant(targets, inside) && !watchRoots(targets).includes(inside)) return inside;
  }
  return targets.files.includes(watched) ? watched : undefined;
}

/** What identifies one version of a file on disk: inode, size and mtime (ns precision where the fs has it). */
function stamp(file: string): string {
  try {
    const s = statSync(file, { bigint: true });
    return `${s.ino}:${s.size}:${s.mtimeNs}`;
  } catch {
    return 'missing';
  }
}
