import t from 'tap';
import { seededRandom } from '../../lib/util/random.js';
import { get, simpleBootstrap, startProxy, staticCluster } from '../helpers/proxy.js';
import { startUpstream } from '../helpers/upstream.js';

t.test('weighted clusters split traffic by relative weight', async (t) => {
  const v1 = await startUpstream('v1');
  const v2 = await startUpstream('v2');
  const routes = `
              - match: { prefix: / }
                route:
                  weighted_clusters:
                    clusters:
                    - { name: v1, weight: 95 }
                    - { name: v2, weight: 5 }
                    - { name: never, weight: 0 }`;
  const clusters =
    staticCluster('v1', v1.port) + staticCluster('v2', v2.port) + staticCluster('never', v1.port);
  const proxy = await startProxy(simpleBootstrap({ routes, clusters }), {}, { random: seededRandom(7) });
  t.teardown(async () => {
    await proxy.stop();
    await v1.close();
    await v2.close();
  });
  const N = 1000;
  const counts: Record<string, number> = {};
  for (let i = 0; i < N; i++) {
    const r = await get(`${proxy.base}/`);
    const who = String(r.headers['x-upstream']);
    counts[who] = (counts[who] ?? 0) + 1;
  }
  // Binomial(1000, 0.05): mean 50, sd ≈ 6.9; ±4 sd bounds.
  t.ok((counts.v2 ?? 0) >= 22 && (counts.v2 ?? 0) <= 78, `v2 got ${counts.v2} of ${N}`);
  t.equal((counts.v1 ?? 0) + (counts.v2 ?? 0), N, 'weight 0 never picked');
});
