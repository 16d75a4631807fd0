import t from 'tap';
import { IdleSweeper, type IdleTarget } from '../../../lib/http/idle-sweeper.js';
import type { Clock } from '../../../lib/util/clock.js';

function target(idleTimeoutMs: number, fired: string[], name: string): IdleTarget {
  return { lastActivityMs: 0, idleTimeoutMs, onIdleTimeout: () => fired.push(name) };
}

t.test('interval is a quarter of the shortest timeout, between 50 ms and 1 s', async (t) => {
  const clock: Clock = { now: () => 0, wallNow: () => 0 };
  t.equal(new IdleSweeper(clock, 100).intervalMs, 50);
  t.equal(new IdleSweeper(clock, 2000).intervalMs, 500);
  t.equal(new IdleSweeper(clock, 300_000).intervalMs, 1000);
});

t.test('idle streams time out once; active, disabled and untracked ones do not', async (t) => {
  let now = 0;
  const clock: Clock = { now: () => now, wallNow: () => now };
  const sweeper = new IdleSweeper(clock, 200);
  const fired: string[] = [];
  const idle = target(200, fired, 'idle');
  const busy = target(200, fired, 'busy');
  const off = target(0, fired, 'off');
  const gone = target(200, fired, 'gone');
  for (const s of [idle, busy, off, gone]) sweeper.track(s);
  sweeper.untrack(gone);
  now = 1000;
  busy.lastActivityMs = 950;
  await new Promise((r) => setTimeout(r, 200));
  t.same(fired, ['idle'], 'only the idle stream fired');
  await new Promise((r) => setTimeout(r, 120));
  t.same(fired, ['idle'], 'and only once');
  for (const s of [busy, off]) sweeper.untrack(s);
});
