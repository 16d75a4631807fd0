import type { OutlierDetectionConfig } from '../config/model.js';
import type { OutlierDetectionStats } from '../stats/types.js';
import type { Clock } from '../util/clock.js';
import type { Random } from '../util/random.js';
import { type EjectionTables, EjectionType, ejectionTables } from './outlier-ejection.js';
import { type EjectableHost, type MonitorOwner, OutlierHostMonitor } from './outlier-host-monitor.js';
import { successRateThreshold } from './outlier-success-rate.js';
import { HealthFlag } from './types.js';

/** Runs the detector's sweep after each interval; injectable so unit tests fire it by hand. */
export interface IntervalScheduler {
  /** Calls `fn` once after `ms`; the returned function cancels that call. */
  schedule(fn: () => void, ms: number): () => void;
}

/** Real timers, unref'd so an idle detector never keeps the process alive. */
export const timerScheduler: IntervalScheduler = {
  schedule(fn, ms) {
    const t = setTimeout(fn, ms);
    t.unref();
    return () => clearTimeout(t);
  },
};

/** What one cluster's detector is built from. */
export interface OutlierDetectorDeps {
  readonly clock: Clock;
  readonly random: Random;
  readonly stats: OutlierDetectionStats;
  /** Host health flags changed (ejection or return): the cluster rebuilds its load balancer. */
  readonly onHealthChanged: () => void;
  readonly scheduler?: IntervalScheduler | undefined;
}

interface Candidate {
  readonly monitor: OutlierHostMonitor;
  readonly rate: number;
}

function ejected(host: EjectableHost): boolean {
  return (host.healthFlags & HealthFlag.FailedOutlierCheck) !== 0;
}

/**
 * One cluster's outlier detector (Envoy's DetectorImpl). Consecutive-error ejections happen
 * inline when a host monitor reaches a threshold; every `interval` a sweep returns hosts whose
 * ejection time is over, decays the ejection multiplier of hosts that stayed in, and runs the
 * success-rate and failure-percentage detectors on the interval's counts.
 *
 * `max_ejection_percent` follows current Envoy (since ≈1.27): an ejection is allowed when
 * 100 × (ejected + 1) / hosts ≤ max, or when `always_eject_one_host` and none is ejected yet.
 * Hosts are counted across all priorities, as Envoy does.
 */
export class OutlierDetector implements MonitorOwner {
  readonly config: OutlierDetectionConfig;
  private readonly deps: OutlierDetectorDeps;
  private readonly tables: EjectionTables;
  private readonly monitors = new Map<EjectableHost, OutlierHostMonitor>();
  private readonly scheduler: IntervalScheduler;
  private readonly tick = (): void => this.onInterval();
  private cancelTimer: (() => void) | null = null;
  private ejectionsActive = 0;
  private stopped = false;

  constructor(config: OutlierDetectionConfig, deps: OutlierDetectorDeps) {
    this.config = config;
    this.deps = deps;
    this.tables = ejectionTables(config, deps.stats);
    this.scheduler = deps.scheduler ?? timerScheduler;
    this.arm();
  }

  /** Gives every new host a monitor (its `outlier`) and forgets the hosts that left. */
  setHosts(hosts: readonly EjectableHost[]): void {
    if (this.stopped) return;
    const keep = new Set(hosts);
    for (const [host, monitor] of this.monitors) {
      if (keep.has(host)) continue;
      if (ejected(host)) this.changeActive(-1);
      monitor.detach();
      this.monitors.delete(host);
    }
    for (const host of hosts) {
      if (this.monitors.has(host)) continue;
      const monitor = new OutlierHostMonitor(host, this);
      this.monitors.set(host, monitor);
      host.outlier = monitor;
    }
  }

  /** Number of hosts currently ejected. */
  activeEjections(): number {
    return this.ejectionsActive;
  }

  /** Stops the sweep; reports arriving later are ignored. Idempotent. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.cancelTimer?.();
    this.cancelTimer = null;
    for (const m of this.monitors.values()) m.detach();
    // The stats object outlives this cluster when a reload replaces it under the same name.
    this.changeActive(-this.ejectionsActive);
  }

  onConsecutiveError(monitor: OutlierHostMonitor, type: EjectionType): void {
    // Reports from in-flight requests keep arriving while ejected; Envoy ignores them and
    // leaves the counter running (it is reset when the host returns).
    if (this.stopped || ejected(monitor.host)) return;
    this.tables.detected[type]!.inc();
    const done = this.eject(monitor, type);
    if (type === EjectionType.Consecutive5xx) monitor.consecutive5xx = 0;
    else if (type === EjectionType.ConsecutiveGatewayFailure) monitor.consecutiveGatewayFailure = 0;
    else monitor.consecutiveLocalOriginFailure = 0;
    if (done) this.deps.onHealthChanged();
  }

  onActiveHealthCheckPassed(monitor: OutlierHostMonitor): void {
    if (this.stopped || !this.config.successfulActiveHealthCheckUnejectHost || !ejected(monitor.host)) return;
    this.unejectHost(monitor);
    this.deps.onHealthChanged();
  }

  /** The sweep; public so tests can run it without the scheduler. */
  onInterval(): void {
    if (this.stopped) return;
    this.cancelTimer = null;
    const now = this.deps.clock.now();
    let changed = false;
    for (const m of this.monitors.values()) {
      if (this.checkReturn(m, now)) changed = true;
      m.rotate();
    }
    if (this.statisticalEjections(false)) changed = true;
    if (this.statisticalEjections(true)) changed = true;
    if (changed) this.deps.onHealthChanged();
    this.arm();
  }

  private arm(): void {
    this.cancelTimer = this.scheduler.schedule(this.tick, this.config.intervalMs);
  }

  private changeActive(delta: number): void {
    this.ejectionsActive += delta;
    if (delta > 0) this.deps.stats.ejectionsActive.inc(delta);
    else if (delta < 0) this.deps.stats.ejectionsActive.dec(-delta);
  }

  /** Envoy's ejectHost: the max-percent rule, then the enforcing roll. True when ejected. */
  private eject(monitor: OutlierHostMonitor, type: EjectionType): boolean {
    const cfg = this.config;
    const s = this.deps.stats;
    const active = this.ejectionsActive;
    const allowed =
      (100 * (active + 1)) / this.monitors.size <= cfg.maxEjectionPercent ||
      (cfg.alwaysEjectOneHost && active === 0);
    if (!allowed) {
      s.ejectionsOverflow.inc();
      return false;
    }
    if (!this.roll(this.tables.enforcingPercent[type]!)) return false;
    this.changeActive(1);
    s.ejectionsEnforcedTotal.inc();
    this.tables.enforced[type]!.inc();
    monitor.host.healthFlags |= HealthFlag.FailedOutlierCheck;
    monitor.numEjections++;
    monitor.lastEjectionMs = this.deps.clock.now();
    const jitter = cfg.maxEjectionTimeJitterMs;
    monitor.jitterMs = jitter > 0 ? this.deps.random.int(Math.floor(jitter) + 1) : 0;
    // The multiplier stops growing once base × multiplier has passed the cap.
    if (monitor.backoff * cfg.baseEjectionTimeMs < cfg.maxEjectionTimeMs + cfg.baseEjectionTimeMs) {
      monitor.backoff++;
    }
    return true;
  }

  private roll(percent: number): boolean {
    if (percent >= 100) return true;
    if (percent <= 0) return false;
    return this.deps.random.int(100) < percent;
  }

  /** Returns an ejected host whose time is over, or decays a staying host's multiplier. */
  private checkReturn(m: OutlierHostMonitor, now: number): boolean {
    if (!ejected(m.host)) {
      if (m.backoff > 0) m.backoff--;
      return false;
    }
    const cfg = this.config;
    const ejectionMs = Math.min(cfg.baseEjectionTimeMs * m.backoff, cfg.maxEjectionTimeMs) + m.jitterMs;
    if (now - m.lastEjectionMs < ejectionMs) return false;
    this.unejectHost(m);
    return true;
  }

  private unejectHost(m: OutlierHostMonitor): void {
    this.changeActive(-1);
    m.host.healthFlags &= ~HealthFlag.FailedOutlierCheck;
    // A counter left just under its threshold would re-eject on the first few errors.
    m.resetConsecutive();
  }

  /** Success-rate and failure-percentage detection over the last interval's counts. */
  private statisticalEjections(localOrigin: boolean): boolean {
    const cfg = this.config;
    const n = this.monitors.size;
    if (n < cfg.successRateMinimumHosts && n < cfg.failurePercentageMinimumHosts) return false;
    const bySuccessRate: Candidate[] = [];
    const byFailurePercentage: Candidate[] = [];
    for (const monitor of this.monitors.values()) {
      if (ejected(monitor.host)) continue;
      const total = localOrigin ? monitor.lastLocalTotal : monitor.lastExternalTotal;
      if (total === 0) continue;
      const success = localOrigin ? monitor.lastLocalSuccess : monitor.lastExternalSuccess;
      const rate = (success * 100) / total;
      if (total >= cfg.successRateRequestVolume) bySuccessRate.push({ monitor, rate });
      if (total >= cfg.failurePercentageRequestVolume) byFailurePercentage.push({ monitor, rate });
    }
    let changed = false;
    if (bySuccessRate.length > 0 && bySuccessRate.length >= cfg.successRateMinimumHosts) {
      const rates = bySuccessRate.map((c) => c.rate);
      const { threshold } = successRateThreshold(rates, cfg.successRateStdevFactor / 1000);
      const type = localOrigin ? EjectionType.LocalOriginSuccessRate : EjectionType.SuccessRate;
      for (const c of bySuccessRate) {
        if (c.rate >= threshold) continue;
        this.tables.detected[type]!.inc();
        if (this.eject(c.monitor, type)) changed = true;
      }
    }
    if (byFailurePercentage.length > 0 && byFailurePercentage.length >= cfg.failurePercentageMinimumHosts) {
      const type = localOrigin ? EjectionType.LocalOriginFailurePercentage : EjectionType.FailurePercentage;
      for (const c of byFailurePercentage) {
        if (100 - c.rate < cfg.failurePercentageThreshold || ejected(c.monitor.host)) continue;
        this.tables.detected[type]!.inc();
        if (this.eject(c.monitor, type)) changed = true;
      }
    }
    return changed;
  }
}
