import type { OriginalDstConfig } from '../config/model.js';
import type { HostImpl } from './host.js';
import { parseOriginalDst } from './original-dst-address.js';
import type { IntervalScheduler } from './outlier-detector.js';

/** What an ORIGINAL_DST host set needs from its cluster. */
export interface OriginalDstHostsDeps {
  readonly config: OriginalDstConfig;
  /** The cleanup timer (unit tests drive it by hand). */
  readonly scheduler: IntervalScheduler;
  /** Builds the host for a new destination with the cluster's pool, breakers and stats. */
  newHost(address: string, port: number, hostname: string): HostImpl;
  /** The host set changed: the cluster refreshes its list, detectors and membership gauges. */
  onHostsChanged(hosts: HostImpl[]): void;
  /** A host left the set: close its pool once its in-flight requests end. */
  retire(host: HostImpl): void;
  /** A header value that names no host (`original_dst_host_invalid`). */
  onInvalid(): void;
}

interface Entry {
  readonly host: HostImpl;
  /** Picked since the last cleanup (Envoy's `used_` bit: no clock read per request). */
  used: boolean;
  /** The canonical `address:port` plus header spellings seen for it (`Host: A:80` …). */
  readonly keys: string[];
}

// Spellings remembered per host; past this a new spelling is parsed on every request instead.
const MAX_ALIASES = 8;

/**
 * Envoy's OriginalDstCluster host map: one host (and so one connection pool) per destination,
 * created by the first request naming it. Every `cleanupIntervalMs` hosts not picked since the
 * previous sweep and carrying no request are removed, so an idle host goes after one to two
 * intervals. The timer runs only while hosts exist.
 */
export class OriginalDstHosts {
  private readonly deps: OriginalDstHostsDeps;
  private readonly byKey = new Map<string, Entry>();
  private entries: Entry[] = [];
  private cancelTimer: (() => void) | null = null;
  private stopped = false;
  private readonly tick = (): void => this.cleanup();

  constructor(deps: OriginalDstHostsDeps) {
    this.deps = deps;
  }

  /** The host for a header value; null (→ 503 UH) when it is missing or names no host. */
  pick(value: string | null | undefined): HostImpl | null {
    if (value === null || value === undefined) return null;
    const hit = this.byKey.get(value);
    if (hit !== undefined) {
      hit.used = true;
      return hit.host;
    }
    return this.stopped ? null : this.add(value);
  }

  /** Stops the cleanup timer; the cluster retires the hosts it holds. */
  stop(): void {
    this.stopped = true;
    this.cancelTimer?.();
    this.cancelTimer = null;
  }

  private add(value: string): HostImpl | null {
    const cfg = this.deps.config;
    const dst = parseOriginalDst(value, cfg.defaultPort, cfg.upstreamPortOverride);
    if (dst === null) {
      this.deps.onInvalid();
      return null;
    }
    let entry = this.byKey.get(dst.key);
    if (entry === undefined) {
      entry = { host: this.deps.newHost(dst.address, dst.port, dst.hostname), used: true, keys: [dst.key] };
      this.byKey.set(dst.key, entry);
      this.entries.push(entry);
      this.deps.onHostsChanged(this.entries.map((e) => e.host));
      this.arm();
    }
    entry.used = true;
    if (value !== dst.key && entry.keys.length <= MAX_ALIASES) {
      entry.keys.push(value);
      this.byKey.set(value, entry);
    }
    return entry.host;
  }

  private cleanup(): void {
    this.cancelTimer = null;
    if (this.stopped) return;
    const keep: Entry[] = [];
    const removed: HostImpl[] = [];
    for (const e of this.entries) {
      // A host still carrying a request stays, as Envoy keeps hosts its pools hold.
      if (e.used || e.host.counters.activeRequests > 0) {
        e.used = false;
        keep.push(e);
      } else {
        removed.push(e.host);
        for (const k of e.keys) this.byKey.delete(k);
      }
    }
    if (removed.length > 0) {
      this.entries = keep;
      this.deps.onHostsChanged(keep.map((e) => e.host));
      for (const h of removed) this.deps.retire(h);
    }
    this.arm();
  }

  private arm(): void {
    if (this.cancelTimer !== null || this.stopped || this.entries.length === 0) return;
    this.cancelTimer = this.deps.scheduler.schedule(this.tick, this.deps.config.cleanupIntervalMs);
  }
}
