import t from 'tap';
import { type IdleTarget, IdleTimer } from '../../../lib/http/idle-timer.js';
import { systemClock } from '../../../lib/util/clock.js';

function target(idleTimeoutMs: number): IdleTarget & { fired: number } {
  const tg = {
    lastActivityMs: systemClock.now(),
    idleTimeoutMs,
    fired: 0,
    onIdleTimeout: () => {
      tg.fired++;
    },
  };
  return tg;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

t.test('fires once after the idle limit', async (t) => {
  const tg = target(60);
  const timer = new IdleTimer(systemClock, tg);
  timer.start();
  await sleep(150);
  t.equal(tg.fired, 1);
  timer.stop();
});

t.test('activity pushes the deadline out; stop() cancels', async (t) => {
  const tg = target(80);
  const timer = new IdleTimer(systemClock, tg);
  timer.start();
  for (let i = 0; i < 4; i++) {
    await sleep(40);
    tg.lastActivityMs = systemClock.now();
  }
  t.equal(tg.fired, 0, 'kept alive by activity for 160 ms');
  timer.stop();
  await sleep(120);
  t.equal(tg.fired, 0, 'stopped timers never fire');
});

t.test('a zero limit never arms', async (t) => {
  const tg = target(0);
  new IdleTimer(systemClock, tg).start();
  await sleep(30);
  t.equal(tg.fired, 0);
});
