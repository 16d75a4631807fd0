import { formatIssue } from '../config/errors.js';
import { type LoadOptions, loadConfigFiles } from '../config/load.js';
import type { Bootstrap } from '../config/model.js';
import type { ReloadStats } from '../stats/reload-stats.js';
import { FileWatcher } from '../util/file-watcher.js';
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
  /** The same options the first load used (sidecar mode translates for the same workload). */
  readonly load?: LoadOptions;
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
  private readonly watcher: FileWatcher;
  private running: Promise<boolean> | null = null;
  private again = false;
  private stopped = false;
  /** The last rejected reload, until one is applied. */
  lastError: ReloadError | null = null;

  constructor(private readonly opts: ConfigReloaderOptions) {
    this.watcher = new FileWatcher(
      () => void this.reloadNow(),
      (m) => opts.log.warn(`config ${m}`),
      opts.debounceMs ?? 100,
    );
  }

  /**
   * Starts watching the config files, plus `extra` files the running config read (the LDS/CDS
   * files its `dynamic_resources` names: `Bootstrap.sources`).
   */
  start(extra: readonly string[] = []): void {
    this.watchFiles([...this.opts.paths, ...extra]);
  }

  private watchFiles(files: readonly string[]): void {
    this.watcher.watch(files);
  }

  stop(): void {
    this.stopped = true;
    this.watcher.close();
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

  private async reloadOnce(): Promise<boolean> {
    const { log, stats } = this.opts;
    const loaded = await loadConfigFiles(this.opts.paths, this.opts.load);
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
    if (this.watcher.watching && !this.stopped)
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
