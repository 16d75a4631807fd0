import type {
  CheckResult,
  HcScheduler,
  HcTimer,
  HealthCheckProbe,
} from '../../../lib/cluster/health-check-probe.js';
import type { Host } from '../../../lib/cluster/types.js';
import type { HealthCheckConfig } from '../../../lib/config/model.js';
import type { Random } from '../../../lib/util/random.js';

interface Pending {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/** Manual time for health checker tests: `advance(ms)` fires due timers in order. */
export class FakeScheduler implements HcScheduler {
  now = 0;
  private seq = 0;
  private timers: Pending[] = [];
  /** Every delay asked for, in order. */
  readonly delays: number[] = [];

  schedule(ms: number, fn: () => void): HcTimer {
    const p: Pending = { at: this.now + ms, seq: this.seq++, fn, cancelled: false };
    this.delays.push(ms);
    this.timers.push(p);
    return {
      cancel: () => {
        p.cancelled = true;
      },
    };
  }

  /** Live timers (for leak checks). */
  pending(): number {
    return this.timers.filter((p) => !p.cancelled).length;
  }

  advance(ms: number): void {
    const end = this.now + ms;
    for (;;) {
      const live = this.timers.filter((p) => !p.cancelled && p.at <= end);
      if (live.length === 0) break;
      live.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = live[0]!;
      this.timers = this.timers.filter((p) => p !== next);
      this.now = next.at;
      next.fn();
    }
    this.now = end;
    this.timers = this.timers.filter((p) => !p.cancelled);
  }
}

/** A probe the test answers by hand. */
export class FakeProbe implements HealthCheckProbe {
  starts = 0;
  aborts = 0;
  closed = false;
  private done: ((r: CheckResult) => void) | null = null;

  start(done: (result: CheckResult) => void): void {
    this.starts++;
    this.done = done;
  }
  abort(): void {
    this.aborts++;
    this.done = null;
  }
  close(): void {
    this.closed = true;
    this.done = null;
  }
  get inFlight(): boolean {
    return this.done !== null;
  }
  respond(r: CheckResult): void {
    const d = this.done;
    if (d === null) throw new Error('no check in flight');
    this.done = null;
    d(r);
  }
}

/** Probes by host, created on demand. */
export class FakeProbes {
  readonly byHost = new Map<Host, FakeProbe>();
  readonly factory = (host: Host): FakeProbe => {
    const p = new FakeProbe();
    this.byHost.set(host, p);
    return p;
  };
  of(host: Host): FakeProbe {
    const p = this.byHost.get(host);
    if (p === undefined) throw new Error(`no probe for ${host.authority}`);
    return p;
  }
}

/** Random that always returns `value` of the span (0 = no jitter). */
export function fixedRandom(fraction: number): Random {
  return { next: () => fraction, int: (n) => Math.floor(n * fraction) };
}

export function hcConfig(over: Partial<HealthCheckConfig> = {}): HealthCheckConfig {
  return {
    timeoutMs: 1000,
    intervalMs: 10_000,
    initialJitterMs: 0,
    intervalJitterMs: 0,
    intervalJitterPercent: 0,
    unhealthyThreshold: 3,
    healthyThreshold: 2,
    reuseConnection: true,
    noTrafficIntervalMs: 60_000,
    noTrafficHealthyIntervalMs: 60_000,
    unhealthyIntervalMs: 10_000,
    unhealthyEdgeIntervalMs: 10_000,
    healthyEdgeIntervalMs: 10_000,
    alwaysLogHealthCheckFailures: false,
    eventLogPath: null,
    checker: {
      kind: 'http',
      host: null,
      path: '/healthz',
      method: 'GET',
      requestHeadersToAdd: [],
      requestHeadersToRemove: [],
      expectedStatuses: [{ start: 200, end: 201 }],
      retriableStatuses: [],
      serviceNameMatcher: null,
    },
    ...over,
  };
}
