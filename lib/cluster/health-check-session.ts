import type { HealthCheckConfig } from '../config/model.js';
import type { HealthCheckStats } from '../stats/types.js';
import { CheckResult, type HcScheduler, type HcTimer, type HealthCheckProbe } from './health-check-probe.js';
import { HealthFlag, type Host } from './types.js';

/** Envoy's HealthTransition: whether a result changed the host, or moved it one step towards it. */
export const Transition = { Unchanged: 0, Changed: 1, ChangePending: 2 } as const;
export type Transition = (typeof Transition)[keyof typeof Transition];

/** Why a host failed: `active` is the host's own answer, `passive` the data path's header. */
export type FailureType = 'active' | 'network' | 'timeout' | 'passive';

/** What a session needs from its checker. */
export interface SessionParent {
  readonly config: HealthCheckConfig;
  readonly stats: HealthCheckStats;
  readonly scheduler: HcScheduler;
  /** Milliseconds to the next check (Envoy's interval rules plus jitter). */
  nextInterval(healthy: boolean, transition: Transition): number;
  initialDelay(): number;
  onHealthChanged(host: Host): void;
}

/**
 * One host's active health check: Envoy's ActiveHealthCheckSession. A new host starts with
 * FailedActiveHc set by its cluster; its first result decides at once (one success makes it
 * healthy), later ones need `healthy_threshold` successes, or `unhealthy_threshold` network
 * failures / timeouts / retriable statuses. Any other failed answer marks it unhealthy at once.
 */
export class HealthCheckSession {
  readonly host: Host;
  private readonly parent: SessionParent;
  private readonly probe: HealthCheckProbe;
  private intervalTimer: HcTimer | null = null;
  private timeoutTimer: HcTimer | null = null;
  private numHealthy = 0;
  private numUnhealthy = 0;
  private firstCheck = true;
  private inFlight = false;
  private stopped = false;
  private firstWaiters: (() => void)[] = [];

  constructor(host: Host, parent: SessionParent, probe: HealthCheckProbe) {
    this.host = host;
    this.parent = parent;
    this.probe = probe;
    if ((host.healthFlags & HealthFlag.FailedActiveHc) === 0) parent.stats.healthy.inc();
    if ((host.healthFlags & HealthFlag.DegradedActiveHc) !== 0) parent.stats.degraded.inc();
  }

  start(): void {
    const delay = this.parent.initialDelay();
    if (delay === 0) this.runCheck();
    else this.intervalTimer = this.parent.scheduler.schedule(delay, () => this.runCheck());
  }

  /** Resolves once the first check finished (or the session stopped). */
  firstChecked(): Promise<void> {
    if (!this.firstCheck || this.stopped) return Promise.resolve();
    return new Promise((resolve) => this.firstWaiters.push(resolve));
  }

  /** The host left the cluster or the cluster closed: timers and sockets go. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.intervalTimer?.cancel();
    this.timeoutTimer?.cancel();
    this.intervalTimer = null;
    this.timeoutTimer = null;
    this.probe.close();
    const f = this.host.healthFlags;
    if ((f & HealthFlag.FailedActiveHc) === 0) this.parent.stats.healthy.dec();
    if ((f & HealthFlag.DegradedActiveHc) !== 0) this.parent.stats.degraded.dec();
    this.releaseWaiters();
  }

  /** Marks the host failed without waiting for the interval (data-path immediate failure). */
  failPassively(): void {
    if (this.stopped) return;
    this.host.healthFlags |= HealthFlag.ExcludedViaImmediateHcFail;
    this.setUnhealthy('passive', false);
  }

  private runCheck(): void {
    this.intervalTimer = null;
    if (this.stopped) return;
    this.inFlight = true;
    this.parent.stats.attempt.inc();
    this.timeoutTimer = this.parent.scheduler.schedule(this.parent.config.timeoutMs, () => this.onTimeout());
    this.probe.start((result) => this.onResult(result));
  }

  private onTimeout(): void {
    this.timeoutTimer = null;
    if (this.stopped || !this.inFlight) return;
    this.inFlight = false;
    this.probe.abort();
    this.handleFailure('timeout', false);
  }

  private onResult(result: CheckResult): void {
    if (this.stopped || !this.inFlight) return;
    this.inFlight = false;
    this.timeoutTimer?.cancel();
    this.timeoutTimer = null;
    switch (result) {
      case CheckResult.Success:
      case CheckResult.Degraded:
        this.handleSuccess(result === CheckResult.Degraded);
        break;
      case CheckResult.Retriable:
        this.handleFailure('active', true);
        break;
      case CheckResult.NetworkFailure:
        this.handleFailure('network', false);
        break;
      default:
        this.handleFailure('active', false);
    }
  }

  private handleSuccess(degraded: boolean): void {
    const host = this.host;
    const before = host.healthFlags;
    this.numUnhealthy = 0;
    let transition: Transition = Transition.Unchanged;
    if ((host.healthFlags & HealthFlag.FailedActiveHc) !== 0) {
      if (this.firstCheck || ++this.numHealthy >= this.parent.config.healthyThreshold) {
        host.healthFlags &= ~(
          HealthFlag.FailedActiveHc |
          HealthFlag.ActiveHcTimeout |
          HealthFlag.ExcludedViaImmediateHcFail
        );
        this.parent.stats.healthy.inc();
        transition = Transition.Changed;
      } else {
        transition = Transition.ChangePending;
      }
    }
    if (this.clearPending()) transition = Transition.Changed;
    const wasDegraded = (host.healthFlags & HealthFlag.DegradedActiveHc) !== 0;
    if (degraded !== wasDegraded) {
      if (degraded) {
        host.healthFlags |= HealthFlag.DegradedActiveHc;
        this.parent.stats.degraded.inc();
      } else {
        host.healthFlags &= ~HealthFlag.DegradedActiveHc;
        this.parent.stats.degraded.dec();
      }
      if (transition === Transition.Unchanged) transition = Transition.Changed;
    }
    this.parent.stats.success.inc();
    // Envoy lifts an outlier ejection once active HC considers the host healthy again.
    if (
      (host.healthFlags & (HealthFlag.FailedActiveHc | HealthFlag.FailedOutlierCheck)) ===
      HealthFlag.FailedOutlierCheck
    ) {
      host.outlier.uneject();
    }
    this.finishCheck(before);
    this.scheduleNext(true, transition);
  }

  private handleFailure(type: FailureType, retriable: boolean): void {
    const transition = this.setUnhealthy(type, retriable);
    this.scheduleNext(false, transition);
  }

  private setUnhealthy(type: FailureType, retriable: boolean): Transition {
    const host = this.host;
    const before = host.healthFlags;
    const network = type === 'network' || type === 'timeout';
    this.numHealthy = 0;
    let transition: Transition = Transition.Unchanged;
    if ((host.healthFlags & HealthFlag.FailedActiveHc) === 0) {
      if ((!network && !retriable) || ++this.numUnhealthy >= this.parent.config.unhealthyThreshold) {
        host.healthFlags |= HealthFlag.FailedActiveHc;
        this.parent.stats.healthy.dec();
        transition = Transition.Changed;
      } else {
        transition = Transition.ChangePending;
      }
    }
    // A failing host toggles between "timed out" and "failed" with its latest reason.
    if (type === 'timeout' && (host.healthFlags & HealthFlag.FailedActiveHc) !== 0) {
      host.healthFlags |= HealthFlag.ActiveHcTimeout;
    } else {
      host.healthFlags &= ~HealthFlag.ActiveHcTimeout;
    }
    if (this.clearPending()) transition = Transition.Changed;
    const s = this.parent.stats;
    s.failure.inc();
    if (network) s.networkFailure.inc();
    else if (type === 'passive') s.passiveFailure.inc();
    this.finishCheck(before);
    return transition;
  }

  private clearPending(): boolean {
    if ((this.host.healthFlags & HealthFlag.PendingActiveHc) === 0) return false;
    this.host.healthFlags &= ~HealthFlag.PendingActiveHc;
    return true;
  }

  private finishCheck(flagsBefore: number): void {
    this.firstCheck = false;
    if (this.host.healthFlags !== flagsBefore) this.parent.onHealthChanged(this.host);
    this.releaseWaiters();
  }

  private scheduleNext(healthy: boolean, transition: Transition): void {
    if (this.stopped) return;
    this.intervalTimer?.cancel();
    const ms = this.parent.nextInterval(healthy, transition);
    this.intervalTimer = this.parent.scheduler.schedule(ms, () => this.runCheck());
  }

  private releaseWaiters(): void {
    const waiters = this.firstWaiters;
    if (waiters.length === 0) return;
    this.firstWaiters = [];
    for (const w of waiters) w();
  }
}
