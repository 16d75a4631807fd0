import t from 'tap';
import { successRateThreshold } from '../../../lib/cluster/outlier-success-rate.js';

t.test("Envoy's worked example", async (t) => {
  const r = successRateThreshold([50, 100, 100, 100, 100], 1.9);
  t.equal(r.mean, 90);
  t.equal(r.threshold, 52);
});

t.test('equal rates give a threshold equal to the mean (nobody is below it)', async (t) => {
  t.same(successRateThreshold([80, 80, 80], 1.9), { mean: 80, threshold: 80 });
});

t.test('a smaller factor tightens the threshold', async (t) => {
  const r = successRateThreshold([60, 80, 100], 1);
  t.equal(r.mean, 80);
  t.ok(Math.abs(r.threshold - (80 - Math.sqrt(800 / 3))) < 1e-9);
});
