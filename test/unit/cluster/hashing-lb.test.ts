import t from 'tap';
import { createLoadBalancer } from '../../../lib/cluster/lb/index.js';
import { MaglevPicker } from '../../../lib/cluster/lb/maglev.js';
import { RingHashPicker } from '../../../lib/cluster/lb/ring-hash.js';
import type { Host, LoadBalancer } from '../../../lib/cluster/types.js';
import type { LbPolicy } from '../../../lib/config/model.js';
import { seededRandom } from '../../../lib/util/random.js';
import { clusterConfig, fakeHost, fakeHosts } from './fixtures.js';

const KEYS = 20_000;

function lbFor(policy: LbPolicy, hosts: readonly Host[], seed = 1): LoadBalancer {
  return createLoadBalancer(clusterConfig({ lbPolicy: policy }), hosts, seededRandom(seed));
}

/** Authority per key (strings keep tap's diff small when a comparison fails). */
function mapKeys(lb: LoadBalancer): string[] {
  const out: string[] = [];
  for (let k = 0; k < KEYS; k++)
    out.push(lb.chooseHost({ hash: k * 2654435761, excluded: null })?.authority ?? '');
  return out;
}

for (const policy of ['RING_HASH', 'MAGLEV'] as const) {
  t.test(`${policy}: the same hash always picks the same host`, async (t) => {
    const hosts = fakeHosts(5);
    const a = mapKeys(lbFor(policy, hosts, 1));
    const b = mapKeys(lbFor(policy, hosts, 99));
    t.same(a, b, 'independent of the random seed and of pick order');
    t.same(mapKeys(lbFor(policy, [...hosts].reverse())), a, 'independent of host order');
  });

  t.test(`${policy}: removing one of five hosts moves few other keys`, async (t) => {
    const hosts = fakeHosts(5);
    const before = mapKeys(lbFor(policy, hosts));
    const lb = lbFor(policy, hosts);
    lb.refresh(hosts.slice(0, 4));
    const after = mapKeys(lb);
    let moved = 0;
    let orphaned = 0;
    for (let k = 0; k < KEYS; k++) {
      if (before[k] === hosts[4]!.authority) orphaned++;
      else if (before[k] !== after[k]) moved++;
    }
    t.ok(orphaned > KEYS * 0.1, `removed host owned ${orphaned} keys`);
    // Ring hash re-scales points per host to keep the minimum ring size (as Envoy does), so
    // survivors gain points and trade some keys; maglev barely moves any.
    const limit = (policy === 'RING_HASH' ? 0.6 : 0.05) * orphaned;
    t.ok(moved <= limit, `${moved} keys of surviving hosts moved (limit ${limit.toFixed(0)})`);
  });
}

t.test('ring size stays within the configured bounds and follows weights', async (t) => {
  const hosts = [fakeHost(1, { weight: 1 }), fakeHost(2, { weight: 3 })];
  const ring = new RingHashPicker(hosts, seededRandom(1), {
    minimumRingSize: 1024,
    maximumRingSize: 8_388_608,
  });
  t.ok(ring.size >= 1024 && ring.size < 1100, `ring size ${ring.size}`);
  const capped = new RingHashPicker(fakeHosts(3), seededRandom(1), {
    minimumRingSize: 1024,
    maximumRingSize: 64,
  });
  t.ok(capped.size <= 64 + 3, `capped ring size ${capped.size}`);
});

t.test('maglev table is fully populated in proportion to weight', async (t) => {
  const hosts = [fakeHost(1, { weight: 1 }), fakeHost(2, { weight: 3 })];
  const maglev = new MaglevPicker(hosts, seededRandom(1), 65537);
  let light = 0;
  for (let slot = 0; slot < maglev.size; slot++) {
    const h = maglev.slotHost(slot);
    if (h === null) return t.fail(`empty slot ${slot}`);
    if (h === hosts[0]) light++;
  }
  t.ok(Math.abs(light / maglev.size - 0.25) < 0.01, `light host owns ${(light / maglev.size).toFixed(3)}`);
});

t.test('a retry with the same hash avoids the excluded host deterministically', async (t) => {
  for (const policy of ['RING_HASH', 'MAGLEV'] as const) {
    const hosts = fakeHosts(4);
    const lb = lbFor(policy, hosts);
    const first = lb.chooseHost({ hash: 12345, excluded: null })!;
    const retry = lb.chooseHost({ hash: 12345, excluded: new Set([first]) });
    t.not(retry, first, `${policy} re-picks elsewhere`);
    t.equal(lb.chooseHost({ hash: 12345, excluded: new Set([first]) }), retry, `${policy} retry is stable`);
  }
});
