import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { CaIssuingProvider } from '../../../lib/tls/ca-issuing-provider.js';
import { inspectCertificate } from '../../../lib/tls/pki/inspect.js';
import { CA_FILES, writePkiFiles } from '../../../lib/tls/pki/pki-files.js';
import { createRootCa } from '../../../lib/tls/pki/root-ca.js';
import { renewAt } from '../../../lib/tls/renewal-schedule.js';
import { createLogger } from '../../../lib/util/logger.js';
import { FakeClock, FakeScheduler, fixedRandom } from '../../helpers/fake-time.js';

const ID = 'spiffe://cluster.local/ns/shop/sa/cart';
const HOUR = 3_600_000;
const ca = createRootCa({ trustDomain: 'cluster.local' });

function caDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-ca-'));
  writePkiFiles(
    dir,
    [
      { name: CA_FILES.caCert, content: ca.certPem, secret: false },
      { name: CA_FILES.caKey, content: ca.keyPem, secret: true },
    ],
    false,
  );
  return dir;
}

function start(random = 0.5, dir = caDir()) {
  const clock = new FakeClock(Date.now());
  const scheduler = new FakeScheduler();
  const p = CaIssuingProvider.start({
    caDir: dir,
    spiffeId: ID,
    ttlMs: HOUR,
    clock,
    scheduler,
    random: fixedRandom(random),
    logger: createLogger('off'),
    retryMs: 5000,
  });
  return { p, clock, scheduler, dir };
}

t.test('issues the workload identity at start and schedules renewal at half the lifetime', async (t) => {
  const { p, clock, scheduler } = start();
  const c = p.current();
  t.equal(c.spiffeId, ID);
  t.ok(c.notAfter.getTime() - clock.wall <= HOUR);
  t.same(inspectCertificate(c.certChainPem).uris, [ID]);
  const timers = scheduler.live();
  t.equal(timers.length, 1);
  // Half of the lifetime from issuance (the fake clock stands still), not from the back-dated notBefore.
  const half = (c.notAfter.getTime() - clock.wall) / 2;
  t.ok(Math.abs(timers[0]!.ms - half) < 1, 'no jitter at random 0.5');
  t.ok(timers[0]!.ms > 0.45 * HOUR && timers[0]!.ms < 0.55 * HOUR, `about 30 min (${timers[0]!.ms})`);
  p.close();
  t.equal(scheduler.live().length, 0, 'close cancels the timer');
});

t.test('a lifetime shorter than the clock-skew back-dating still renews at half of it', async (t) => {
  const clock = new FakeClock(Date.now());
  const scheduler = new FakeScheduler();
  const p = CaIssuingProvider.start({
    ca,
    spiffeId: ID,
    ttlMs: 4000,
    clock,
    scheduler,
    random: fixedRandom(0.5),
    logger: createLogger('off'),
  });
  const c = p.current();
  t.ok(c.notBefore.getTime() < clock.wall - 50_000, 'notBefore back-dated');
  const delay = scheduler.live()[0]!.ms;
  // X.509 keeps whole seconds: 3 to 4 s are left, half of that is ahead.
  t.ok(delay >= 1500 && delay <= 2000, `renewal in ${delay} ms, not at once`);
  clock.wall = p.nextRenewalAt;
  scheduler.fireLast();
  await p.pending;
  t.not(p.current(), c, 'renewed');
  t.ok(scheduler.live()[0]!.ms >= 1500, 'the next one half a lifetime later again');
  p.close();
});

t.test("jitter stays within Istio's ±1 % of the lifetime", async (t) => {
  const nb = new Date(0);
  const na = new Date(10 * HOUR);
  const lo = renewAt(nb, na, fixedRandom(0));
  const mid = renewAt(nb, na, fixedRandom(0.5));
  const hi = renewAt(nb, na, fixedRandom(0.999999));
  t.equal(mid, 5 * HOUR);
  t.ok(lo < mid && mid < hi, 'ordered');
  t.ok(lo >= 4.9 * HOUR && hi <= 5.1 * HOUR, 'bounded');
  t.ok(lo < 4.91 * HOUR && hi > 5.09 * HOUR, 'uses the whole range');
});

t.test('the timer renews: new certificate, listeners called, next renewal scheduled', async (t) => {
  const { p, clock, scheduler } = start();
  const first = p.current();
  let rotations = 0;
  const off = p.onRotate(() => rotations++);
  // Early (the scheduler fired before the due time, e.g. a capped delay): only re-armed.
  scheduler.fireLast();
  await p.pending;
  t.equal(rotations, 0, 'not due yet');
  t.equal(p.current(), first);
  t.equal(scheduler.live().length, 1, 're-armed');
  clock.wall = p.nextRenewalAt;
  scheduler.fireLast();
  await p.pending;
  t.equal(rotations, 1);
  const second = p.current();
  t.not(second.certChainPem, first.certChainPem);
  t.ok(second.notAfter > first.notAfter, 'later expiry');
  t.equal(second.spiffeId, ID);
  t.ok(p.nextRenewalAt > clock.wall, 'next renewal in the future');
  t.equal(scheduler.live().length, 1);
  off();
  clock.wall = p.nextRenewalAt;
  scheduler.fireLast();
  await p.pending;
  t.equal(rotations, 1, 'unsubscribed listener not called');
  p.close();
});

t.test('a failed renewal keeps the current certificate and retries', async (t) => {
  const { p, clock, scheduler, dir } = start();
  const first = p.current();
  rmSync(join(dir, CA_FILES.caKey));
  clock.wall = p.nextRenewalAt;
  scheduler.fireLast();
  await p.pending;
  t.equal(p.current(), first, 'kept');
  t.equal(p.failures, 1);
  t.equal(scheduler.live().at(-1)!.ms, 5000, 'retry delay');
  writePkiFiles(dir, [{ name: CA_FILES.caKey, content: ca.keyPem, secret: true }], false);
  clock.wall += 5000;
  scheduler.fireLast();
  await p.pending;
  t.equal(p.failures, 0);
  t.not(p.current(), first, 'renewed on retry');
  p.close();
});

t.test('a listener that throws does not stop the others', async (t) => {
  const { p, clock, scheduler } = start();
  let called = false;
  p.onRotate(() => {
    throw new Error('boom');
  });
  p.onRotate(() => {
    called = true;
  });
  clock.wall = p.nextRenewalAt;
  scheduler.fireLast();
  await p.pending;
  t.ok(called);
  p.close();
});

t.test('start fails clearly without a usable CA', async (t) => {
  const empty = mkdtempSync(join(tmpdir(), 'skiff-ca-'));
  t.throws(() => start(0.5, empty), /lacks ca-cert.pem and ca-key.pem/);
  t.throws(() => start(0.5, join(empty, 'nope')), /does not exist/);
  t.throws(
    () => CaIssuingProvider.start({ ca, spiffeId: 'spiffe://cluster.local/x', logger: createLogger('off') }),
    /workload identity/,
  );
  t.throws(() => CaIssuingProvider.start({ spiffeId: ID }), /needs caDir or ca/);
});

t.test('a lifetime beyond the scheduler limit takes several hops', async (t) => {
  const clock = new FakeClock(Date.now());
  const scheduler = new FakeScheduler();
  const p = CaIssuingProvider.start({
    ca,
    spiffeId: ID,
    ttlMs: 90 * 24 * HOUR,
    clock,
    scheduler,
    random: fixedRandom(0.5),
    logger: createLogger('off'),
  });
  const first = p.current();
  t.ok(p.nextRenewalAt - clock.wall > 40 * 24 * HOUR);
  clock.wall += 24 * 24 * HOUR;
  scheduler.fireLast();
  await p.pending;
  t.equal(p.current(), first, 'not renewed after a capped hop');
  clock.wall = p.nextRenewalAt;
  scheduler.fireLast();
  await p.pending;
  t.not(p.current(), first);
  p.close();
});

t.test('a renewal generates its key off the event loop: the timer callback returns at once', async (t) => {
  const { p, clock, scheduler } = start();
  const first = p.current();
  clock.wall = p.nextRenewalAt;
  scheduler.fireLast();
  t.equal(p.current(), first, 'still the old certificate while the key is generated');
  t.ok(p.pending !== null, 'a renewal is pending');
  t.ok(await p.pending, 'renewed');
  t.not(p.current(), first);
  p.close();
});

t.test('closing during a renewal drops its result', async (t) => {
  const { p, clock, scheduler } = start();
  const first = p.current();
  let rotations = 0;
  p.onRotate(() => rotations++);
  clock.wall = p.nextRenewalAt;
  scheduler.fireLast();
  const pending = p.pending;
  p.close();
  t.equal(await pending, false);
  t.equal(p.current(), first);
  t.equal(rotations, 0);
  t.equal(scheduler.live().length, 0, 'nothing re-armed after close');
});
