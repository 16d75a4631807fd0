import { type IntervalScheduler, OutlierDetector } from '../../../lib/cluster/outlier-detector.js';
import type { OutlierHostMonitor } from '../../../lib/cluster/outlier-host-monitor.js';
import { OUTLIER_DEFAULTS } from '../../../lib/config/envoy/cluster-outlier-detection.js';
import type { OutlierDetectionConfig } from '../../../lib/config/model.js';
import type { Clock } from '../../../lib/util/clock.js';
import type { Random } from '../../../lib/util/random.js';
import { type FakeHost, type FakeOutlierStats, fakeHosts, fakeOutlierStats } from './fixtures.js';

/** A clock tests move by hand. */
export class FakeClock implements Clock {
  ms = 0;
  now(): number {
    return this.ms;
  }
  wallNow(): number {
    return this.ms;
  }
}

/** Holds the detector's one pending sweep; `fire()` runs it. */
export class ManualScheduler implements IntervalScheduler {
  pending: (() => void) | null = null;
  lastMs = 0;
  schedule(fn: () => void, ms: number): () => void {
    this.pending = fn;
    this.lastMs = ms;
    return () => {
      if (this.pending === fn) this.pending = null;
    };
  }
  fire(): void {
    const fn = this.pending;
    if (fn === null) throw new Error('no sweep scheduled');
    this.pending = null;
    fn();
  }
}

/** Returns the scripted integers in order (then 0); records every bound asked for. */
export class ScriptedRandom implements Random {
  readonly asked: number[] = [];
  constructor(private readonly values: number[] = []) {}
  next(): number {
    return 0;
  }
  int(n: number): number {
    this.asked.push(n);
    return Math.min(this.values.shift() ?? 0, n - 1);
  }
}

export interface OutlierRig {
  readonly detector: OutlierDetector;
  readonly hosts: FakeHost[];
  readonly stats: FakeOutlierStats;
  readonly clock: FakeClock;
  readonly scheduler: ManualScheduler;
  readonly random: ScriptedRandom;
  /** onHealthChanged calls so far. */
  changes: number;
  monitor(i: number): OutlierHostMonitor;
  /** Moves the clock to `ms` and runs the sweep. */
  sweepAt(ms: number): void;
  ejected(i: number): boolean;
}

/** A detector over `n` fake hosts with a fake clock, a manual sweep and scripted randomness. */
export function outlierRig(
  over: Partial<OutlierDetectionConfig> = {},
  n = 2,
  randomValues: number[] = [],
): OutlierRig {
  const clock = new FakeClock();
  const scheduler = new ManualScheduler();
  const random = new ScriptedRandom(randomValues);
  const stats = fakeOutlierStats();
  const hosts = fakeHosts(n);
  const rig: OutlierRig = {
    detector: undefined as unknown as OutlierDetector,
    hosts,
    stats,
    clock,
    scheduler,
    random,
    changes: 0,
    monitor: (i) => hosts[i]!.outlier as OutlierHostMonitor,
    sweepAt(ms) {
      clock.ms = ms;
      scheduler.fire();
    },
    ejected: (i) => !hosts[i]!.healthy(),
  };
  const detector = new OutlierDetector(
    { ...OUTLIER_DEFAULTS, maxEjectionPercent: 100, ...over },
    { clock, random, stats, scheduler, onHealthChanged: () => rig.changes++ },
  );
  detector.setHosts(hosts);
  (rig as { detector: OutlierDetector }).detector = detector;
  return rig;
}

/** Reports `count` responses with `status` to host `i`. */
export function respond(rig: OutlierRig, i: number, status: number, count = 1): void {
  for (let k = 0; k < count; k++) rig.hosts[i]!.outlier.putHttpResponseCode(status);
}
