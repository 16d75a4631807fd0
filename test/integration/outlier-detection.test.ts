import t from 'tap';
import type { Clock } from '../../lib/util/clock.js';
import { get, simpleBootstrap, startProxy, staticCluster } from '../helpers/proxy.js';
import { startUpstream } from '../helpers/upstream.js';
import { eventually } from '../helpers/wait.js';

/**
 * Skiff's clock, moved only by the test: the ejection lasts exactly until the test advances
 * it past base_ejection_time, so "still ejected" and "back" do not depend on how fast the
 * machine is. The real sweep timer (interval 0.1s) does the un-ejecting.
 */
class ManualClock implements Clock {
  ms = 1_000_000;
  now(): number {
    return this.ms;
  }
  wallNow(): number {
    return Date.now();
  }
}

/** Polls `check` every 20 ms until it is true; fails after `ms`. */
t.test('a host answering 503 is ejected after 5 in a row and comes back', async (t) => {
  const good = await startUpstream('good');
  const bad = await startUpstream('bad', (_req, res) => {
    res.writeHead(503, { 'x-upstream': 'bad', 'content-length': '4' });
    res.end('down');
  });
  const clusters = `${staticCluster('backend', good.port, bad.port)}    outlier_detection:
      consecutive_5xx: 5
      interval: 0.1s
      base_ejection_time: 0.2s
      max_ejection_percent: 50
`;
  const clock = new ManualClock();
  const proxy = await startProxy(simpleBootstrap({ clusters }), {}, { clock });
  t.teardown(async () => {
    await proxy.stop();
    await good.close();
    await bad.close();
  });
  const admin = proxy.adminBase!;
  const badFlags = `backend::127.0.0.1:${bad.port}::health_flags::`;
  const flagsOfBad = async (): Promise<string> => {
    const text = (await get(`${admin}/clusters`)).body;
    return text.split('\n').find((l) => l.startsWith(badFlags)) ?? '';
  };
  const metric = async (name: string): Promise<string | undefined> => {
    const text = (await get(`${admin}/stats/prometheus`)).body;
    const line = text.split('\n').find((l) => l.startsWith(`${name}{envoy_cluster_name="backend"}`));
    return line?.split(' ')[1];
  };

  // Round robin alternates, so the bad host answers every other request until it is ejected.
  const statuses: number[] = [];
  for (let i = 0; i < 20 && bad.requests.length < 5; i++) statuses.push((await get(`${proxy.base}/`)).status);
  t.equal(bad.requests.length, 5, 'the bad host saw 5 requests');
  t.equal(statuses.filter((s) => s === 503).length, 5);
  t.equal(await flagsOfBad(), `${badFlags}/failed_outlier_check`, '/clusters shows the ejection');

  for (let i = 0; i < 10; i++) {
    const r = await get(`${proxy.base}/`);
    t.equal(r.status, 200);
    t.equal(r.headers['x-upstream'], 'good');
  }
  t.equal(bad.requests.length, 5, 'no request reached the ejected host');

  t.equal(await metric('envoy_cluster_outlier_detection_ejections_active'), '1');
  t.equal(await metric('envoy_cluster_outlier_detection_ejections_enforced_total'), '1');
  t.equal(await metric('envoy_cluster_outlier_detection_ejections_enforced_consecutive_5xx'), '1');
  t.equal(await metric('envoy_cluster_outlier_detection_ejections_detected_consecutive_5xx'), '1');
  t.equal(
    await metric('envoy_cluster_outlier_detection_ejections_detected_consecutive_gateway_failure'),
    '1',
    '503s are gateway failures too (detected, not enforced by default)',
  );
  t.equal(await metric('envoy_cluster_outlier_detection_ejections_overflow'), '0');
  t.equal(await metric('envoy_cluster_membership_healthy'), '1');

  clock.ms += 200;
  await eventually(async () => (await flagsOfBad()) === `${badFlags}healthy`, 'the host to return', 5000);
  t.equal(await metric('envoy_cluster_outlier_detection_ejections_active'), '0');
  t.equal(await metric('envoy_cluster_membership_healthy'), '2');
  const after: string[] = [];
  for (let i = 0; i < 4; i++) after.push(String((await get(`${proxy.base}/`)).headers['x-upstream']));
  t.ok(after.includes('bad'), `the returned host gets traffic again (${after.join(',')})`);
});
