import type { HealthCheckConfig } from '../config/model.js';
import type { HealthCheckStats } from '../stats/types.js';
import type { Random } from '../util/random.js';
import { type HcScheduler, type ProbeFactory, realScheduler } from './health-check-probe.js';
import { HealthCheckSession, type SessionParent, Transition } from './health-check-session.js';
import { httpProbeFactory } from './http-health-check.js';
import { tcpProbeFactory } from './tcp-health-check.js';
import type { Host } from './types.js';

/** What a cluster's health checker is built from. */
export interface HealthCheckerDeps {
  readonly config: HealthCheckConfig;
  readonly clusterName: string;
  readonly stats: HealthCheckStats;
  readonly random: Random;
  readonly scheduler?: HcScheduler | undefined;
  /** Replaces the real HTTP/TCP probes (unit tests). */
  readonly probes?: ProbeFactory | undefined;
  /**
   * True once the cluster has carried traffic; until then hosts are checked every
   * `no_traffic_interval` (Envoy looks at the cluster's upstream connection counters).
   */
  readonly hadTraffic: () => boolean;
  /** A host's health flags changed (the cluster refreshes its load balancer). */
  readonly onHealthChanged: (host: Host) => void;
}

/**
 * Envoy's active health checker for one cluster: one session per host, added and removed as the
 * host set changes, all stopped by `stop()`.
 */
export class HealthChecker implements SessionParent {
  readonly config: HealthCheckConfig;
  readonly stats: HealthCheckStats;
  readonly scheduler: HcScheduler;
  private readonly deps: HealthCheckerDeps;
  private readonly probes: ProbeFactory;
  private readonly sessions = new Map<Host, HealthCheckSession>();
  private stopped = false;

  constructor(deps: HealthCheckerDeps) {
    this.deps = deps;
    this.config = deps.config;
    this.stats = deps.stats;
    this.scheduler = deps.scheduler ?? realScheduler;
    const c = deps.config.checker;
    this.probes =
      deps.probes ??
      (c.kind === 'http'
        ? httpProbeFactory(c, deps.config.reuseConnection, deps.clusterName, deps.stats)
        : tcpProbeFactory(c, deps.config.reuseConnection));
  }

  /** Starts sessions for new hosts and stops those of hosts that left. */
  setHosts(hosts: readonly Host[]): void {
    if (this.stopped) return;
    const keep = new Set(hosts);
    for (const [host, session] of this.sessions) {
      if (!keep.has(host)) {
        session.stop();
        this.sessions.delete(host);
      }
    }
    for (const host of hosts) {
      if (this.sessions.has(host)) continue;
      const session = new HealthCheckSession(host, this, this.probes(host));
      this.sessions.set(host, session);
      session.start();
    }
  }

  /** Resolves when every current host finished its first check (Envoy's cluster warming). */
  async initialChecks(): Promise<void> {
    await Promise.all([...this.sessions.values()].map((s) => s.firstChecked()));
  }

  /** Fails `host` at once (upstream sent `x-envoy-immediate-health-check-fail`); false if unknown. */
  immediateFail(host: Host): boolean {
    const session = this.sessions.get(host);
    if (session === undefined) return false;
    session.failPassively();
    return true;
  }

  stop(): void {
    this.stopped = true;
    for (const s of this.sessions.values()) s.stop();
    this.sessions.clear();
  }

  onHealthChanged(host: Host): void {
    this.deps.onHealthChanged(host);
  }

  initialDelay(): number {
    const j = Math.floor(this.config.initialJitterMs);
    return j <= 0 ? 0 : Math.max(1, this.deps.random.int(j));
  }

  nextInterval(healthy: boolean, transition: Transition): number {
    const c = this.config;
    const pending = transition === Transition.ChangePending;
    let base: number;
    if (this.deps.hadTraffic()) {
      if (healthy) base = pending ? c.healthyEdgeIntervalMs : c.intervalMs;
      else base = pending ? c.unhealthyEdgeIntervalMs : c.unhealthyIntervalMs;
    } else {
      base = healthy && !pending ? c.noTrafficHealthyIntervalMs : c.noTrafficIntervalMs;
    }
    const r = this.deps.random;
    const pctSpan = Math.floor((c.intervalJitterPercent * base) / 100);
    let ms = base;
    if (pctSpan > 0) ms += r.int(pctSpan);
    const jitter = Math.floor(c.intervalJitterMs);
    if (jitter > 0) ms += r.int(jitter);
    // A zero delay would re-check in a tight loop.
    return Math.max(1, ms);
  }
}
