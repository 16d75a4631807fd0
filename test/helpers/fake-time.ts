import type { Clock } from '../../lib/util/clock.js';
import type { Random } from '../../lib/util/random.js';
import type { Scheduler, TimerHandle, TimerTarget } from '../../lib/util/scheduler.js';

/** A wall clock tests move by hand. */
export class FakeClock implements Clock {
  constructor(public wall: number) {}
  now(): number {
    return this.wall;
  }
  wallNow(): number {
    return this.wall;
  }
}

/** A Random returning one fixed value. */
export function fixedRandom(v: number): Random {
  return { next: () => v, int: (n) => Math.floor(v * n) };
}

interface Pending {
  readonly ms: number;
  readonly target: TimerTarget;
  cancelled: boolean;
}

/** Records timers; `fireLast()` runs the most recent live one. */
export class FakeScheduler implements Scheduler {
  readonly timers: Pending[] = [];
  schedule(ms: number, target: TimerTarget): TimerHandle {
    const p = { ms, target, cancelled: false };
    this.timers.push(p);
    return p;
  }
  cancel(handle: TimerHandle): void {
    (handle as Pending).cancelled = true;
  }
  live(): Pending[] {
    return this.timers.filter((p) => !p.cancelled);
  }
  fireLast(): void {
    const p = this.live().at(-1);
    if (p === undefined) throw new Error('no live timer');
    p.cancelled = true;
    p.target.onTimer();
  }
}
