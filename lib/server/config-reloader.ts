import { type FSWatcher, watch } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { formatIssue } from '../config/errors.js';
import { loadConfigFiles } from '../config/load.js';
import type { Bootstrap } from '../config/model.js';
import type { ReloadStats } from '../stats/reload-stats.js';
import type { Logger } from '../util/logger.js';

/** What a reload swaps the config into (Skiff implements it). */
export interface ReloadTarget {
  reload(next: Bootstrap): Promise<void>;
}

/** A rejected reload: when, and every problem as `file: field.path: reason`. */
export interface ReloadError {
  readonly at: string;
  readonly errors: readonly string[];
}

export interface ConfigReloaderOptions {
  readonly paths: readonly string[];
  readonly target: ReloadTarget;
  readonly stats: ReloadStats;
  readonly log: Logger;
  /** Editors write in bursts; one reload per burst. Default 100 ms. */
  readonly debounceMs?: number;
}

/**
 * Live reload (the seed's pitfall 4: one bad config must never drop traffic). The config files'
 * directories are watched (so an atomic rename is seen) and `reloadNow()` serves SIGHUP. A new
 * config is loaded, validated and compiled in full before it is swapped in; a config with any
 * error is rejected whole, logged with file and field path, counted, kept for /config_dump, and
 * the running config keeps serving. Reloads never overlap: one that is asked for while another
 * runs happens right after it.
 */
export class ConfigReloader {
  private readonly watchers: FSWatcher[] = [];
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<boolean> | null = null;
  private again = false;
  private stopped = false;
  /** The last rejected reload, until one is applied. */
  lastError: ReloadError | null = null;

  constructor(private readonly opts: ConfigReloaderOptions) {}

  /**
   * Starts watching the config files, plus `extra` files the running config read (the LDS/CDS
   * files its `dynamic_resources` names: `Bootstrap.sources`).
   */
  start(extra: readonly string[] = []): void {
    this.watchFiles([...this.opts.paths, ...extra]);
  }

  private watchFiles(files: readonly string[]): void {
    for (const w of this.watchers) w.close();
    this.watchers.length = 0;
    const byDir = new Map<string, Set<string>>();
    for (const p of files) {
      const abs = resolve(p);
      const names = byDir.get(dirname(abs)) ?? new Set<string>();
      names.add(basename(abs));
      byDir.set(dirname(abs), names);
    }
    for (const [dir, names] of byDir) {
      try {
        const w = watch(dir, (_event, file) => {
          if (file === null || names.has(file)) this.schedule();
        });
        w.on('error', (err) => this.opts.log.warn(`config watch on ${dir} failed: ${err.message}`));
        w.unref();
        this.watchers.push(w);
      } catch (err) {
        this.opts.log.warn(`cannot watch ${dir} for config changes: ${(err as Error).message}`);
      }
    }
  }

  stop(): void {
    this.stopped = true;
    for (const w of this.watchers) w.close();
    this.watchers.length = 0;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Reloads now (or right after a reload in progress); true when a new config was applied. */
  reloadNow(): Promise<boolean> {
    if (this.running !== null) {
      this.again = true;
      return this.running;
    }
    const run = this.reloadOnce().finally(() => {
      this.running = null;
      if (this.again && !this.stopped) {
        this.again = false;
        void this.reloadNow();
      }
    });
    this.running = run;
    return run;
  }

  private schedule(): void {
    if (this.stopped || this.timer !== null) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.reloadNow();
    }, this.opts.debounceMs ?? 100);
    this.timer.unref();
  }

  private async reloadOnce(): Promise<boolean> {
    const { log, stats } = this.opts;
    const loaded = await loadConfigFiles(this.opts.paths);
    if (!loaded.ok) {
      this.reject(loaded.issues.map(formatIssue));
      return false;
    }
    try {
      await this.opts.target.reload(loaded.bootstrap);
    } catch (err) {
      this.reject([err instanceof Error ? err.message : String(err)]);
      return false;
    }
    for (const w of loaded.warnings) log.warn(formatIssue(w));
    // The new config may name other LDS/CDS files.
    if (this.watchers.length > 0 && !this.stopped)
      this.watchFiles([...this.opts.paths, ...loaded.bootstrap.sources]);
    this.lastError = null;
    stats.applied.inc();
    log.info('config reloaded');
    return true;
  }

  private reject(errors: readonly string[]): void {
    this.opts.stats.rejected.inc();
    this.lastError = { at: new Date().toISOString(), errors };
    for (const e of errors) this.opts.log.error(e);
    this.opts.log.error(
      `config reload rejected (${errors.length} error${errors.length === 1 ? '' : 's'}); the previous config keeps serving`,
    );
  }
}
