import { type FSWatcher, watch } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';

/**
 * Watches files through their directories, so a file replaced by an atomic rename (the way
 * editors, `kubectl cp` and config management write) is still seen, and calls `onChange` once
 * per burst of events (`debounceMs`). Watchers and the timer never keep the process alive.
 */
export class FileWatcher {
  private readonly watchers: FSWatcher[] = [];
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly onChange: () => void,
    private readonly log: (message: string) => void,
    private readonly debounceMs: number,
  ) {}

  /** Watches exactly `files` from now on (replacing what was watched before). */
  watch(files: readonly string[]): void {
    this.closeWatchers();
    const byDir = new Map<string, Set<string>>();
    for (const f of files) {
      const abs = resolve(f);
      const names = byDir.get(dirname(abs)) ?? new Set<string>();
      names.add(basename(abs));
      byDir.set(dirname(abs), names);
    }
    for (const [dir, names] of byDir) {
      try {
        const w = watch(dir, (_event, file) => {
          if (file === null || names.has(file)) this.schedule();
        });
        w.on('error', (err) => this.log(`watching ${dir} failed: ${err.message}`));
        w.unref();
        this.watchers.push(w);
      } catch (err) {
        this.log(`cannot watch ${dir}: ${(err as Error).message}`);
      }
    }
  }

  get watching(): boolean {
    return this.watchers.length > 0;
  }

  close(): void {
    this.closed = true;
    this.closeWatchers();
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private closeWatchers(): void {
    for (const w of this.watchers) w.close();
    this.watchers.length = 0;
  }

  private schedule(): void {
    if (this.closed || this.timer !== null) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      if (!this.closed) this.onChange();
    }, this.debounceMs);
    this.timer.unref();
  }
}
