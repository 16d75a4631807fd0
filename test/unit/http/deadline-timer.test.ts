import t from 'tap';
import { DeadlineTimer, type TimedStream } from '../../../lib/http/deadline-timer.js';
import { systemClock } from '../../../lib/util/clock.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A stream with one deadline that fires once; `checks` counts how often the timer looked. */
class FakeStream implements TimedStream {
  fired: number[] = [];
  checks = 0;
  constructor(public deadlineMs: number) {}
  checkDeadlines(nowMs: number): number {
    this.checks++;
    if (this.deadlineMs > nowMs) return this.deadlineMs;
    this.fired.push(nowMs);
    this.deadlineMs = Infinity;
    return Infinity;
  }
}

t.test('fires each stream at its own deadline, never early', async (t) => {
  const now = systemClock.now();
  const a = new FakeStream(now + 40);
  const b = new FakeStream(now + 120);
  const timer = new DeadlineTimer(systemClock, [a, b]);
  timer.schedule(a.deadlineMs);
  timer.schedule(b.deadlineMs);
  await sleep(80);
  t.equal(a.fired.length, 1, 'first deadline fired');
  t.equal(b.fired.length, 0, 'second not yet');
  t.ok(a.fired[0]! >= now + 40, 'not before its deadline');
  await sleep(100);
  t.equal(b.fired.length, 1, 'the timer re-armed itself for the second');
  t.equal(a.fired.length, 1, 'fires once');
});

t.test('a later deadline arms nothing; the timer finds it when it fires', async (t) => {
  const now = systemClock.now();
  const s = new FakeStream(now + 30);
  const timer = new DeadlineTimer(systemClock, [s]);
  timer.schedule(now + 30);
  // Activity pushed the deadline out after the timer was armed (as a stream idle timeout does).
  s.deadlineMs = now + 90;
  timer.schedule(s.deadlineMs);
  await sleep(60);
  t.equal(s.fired.length, 0, 'not expired at the early wake-up');
  t.ok(s.checks >= 1, 'but it was checked');
  await sleep(80);
  t.equal(s.fired.length, 1, 'fired at the pushed-out deadline');
});

t.test('an earlier deadline re-arms the timer', async (t) => {
  const now = systemClock.now();
  const s = new FakeStream(now + 500);
  const timer = new DeadlineTimer(systemClock, [s]);
  timer.schedule(now + 500);
  s.deadlineMs = now + 30;
  timer.schedule(s.deadlineMs);
  await sleep(80);
  t.equal(s.fired.length, 1);
  timer.stop();
});

t.test('stop() cancels; streams that left the list are not checked', async (t) => {
  const now = systemClock.now();
  const s = new FakeStream(now + 30);
  const list: TimedStream[] = [s];
  const timer = new DeadlineTimer(systemClock, list);
  timer.schedule(s.deadlineMs);
  timer.stop();
  await sleep(60);
  t.equal(s.checks, 0, 'stopped timers never fire');
  timer.schedule(systemClock.now() + 20);
  list.length = 0;
  await sleep(50);
  t.equal(s.checks, 0, 'a closed stream is gone from the list');
});
