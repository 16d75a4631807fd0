import t from 'tap';
import { ResourceManager } from '../../../lib/cluster/resource-manager.js';
import { DEFAULT_THRESHOLDS } from '../../../lib/config/envoy/cluster-circuit-breakers.js';
import { fakeCircuitBreakerStats } from './fixtures.js';

t.test('Envoy defaults: 1024 / 1024 / 1024, 3 retries, pools unlimited', async (t) => {
  const rm = new ResourceManager();
  t.equal(rm.connections.max, 1024);
  t.equal(rm.pendingRequests.max, 1024);
  t.equal(rm.requests.max, 1024);
  t.equal(rm.retries.limit(), 3);
  t.ok(rm.connectionPools.max >= 2 ** 32, 'unlimited');
  const fromConfig = ResourceManager.fromConfig(DEFAULT_THRESHOLDS, null);
  t.equal(fromConfig.requests.max, 1024);
  t.equal(fromConfig.retries.limit(), 3);
});

t.test('open gauges follow count against max; remaining only with track_remaining', async (t) => {
  const stats = fakeCircuitBreakerStats(true);
  const rm = ResourceManager.fromConfig(
    { ...DEFAULT_THRESHOLDS, maxRequests: 2, trackRemaining: true },
    stats,
  );
  t.equal(stats.rqOpen.value, 0);
  t.equal(stats.remainingRq!.value, 2);
  t.equal(stats.remainingCx!.value, 1024);
  rm.requests.inc();
  t.ok(rm.requests.canCreate());
  t.equal(stats.rqOpen.value, 0);
  t.equal(stats.remainingRq!.value, 1);
  rm.requests.inc();
  t.notOk(rm.requests.canCreate());
  t.equal(stats.rqOpen.value, 1, 'open at the limit');
  t.equal(stats.remainingRq!.value, 0);
  rm.requests.dec();
  t.equal(stats.rqOpen.value, 0, 'closed again');
  t.equal(stats.remainingRq!.value, 1);
  t.equal(stats.remainingRetries!.value, 3);

  const quiet = fakeCircuitBreakerStats(false);
  const rm2 = ResourceManager.fromConfig({ ...DEFAULT_THRESHOLDS, maxPendingRequests: 1 }, quiet);
  rm2.pendingRequests.inc();
  t.equal(quiet.rqPendingOpen.value, 1);
  t.equal(quiet.remainingPending, null, 'no remaining_* gauges without track_remaining');
});

t.test('a zero limit refuses at once', async (t) => {
  const rm = ResourceManager.fromConfig({ ...DEFAULT_THRESHOLDS, maxConnections: 0, maxRetries: 0 }, null);
  t.notOk(rm.connections.canCreate());
  t.notOk(rm.retries.canCreate());
});

t.test('max_retries without a budget', async (t) => {
  const stats = fakeCircuitBreakerStats(true);
  const rm = ResourceManager.fromConfig(
    { ...DEFAULT_THRESHOLDS, maxRetries: 2, trackRemaining: true },
    stats,
  );
  rm.retries.inc();
  t.ok(rm.retries.canCreate());
  rm.retries.inc();
  t.notOk(rm.retries.canCreate());
  t.equal(stats.rqRetryOpen.value, 1);
  t.equal(stats.remainingRetries!.value, 0);
  rm.retries.dec();
  t.equal(stats.remainingRetries!.value, 1);
});

t.test('retry budget: max(min_retry_concurrency, ⌊percent × (active + pending)⌋)', async (t) => {
  const stats = fakeCircuitBreakerStats(true);
  const rm = ResourceManager.fromConfig(
    {
      ...DEFAULT_THRESHOLDS,
      trackRemaining: true,
      retryBudget: { budgetPercent: 25, minRetryConcurrency: 2 },
    },
    stats,
  );
  t.equal(rm.retries.limit(), 2, 'idle cluster: the floor');
  for (let i = 0; i < 10; i++) rm.requests.inc();
  t.equal(rm.retries.limit(), 2, '25 % of 10 = 2.5 → 2');
  for (let i = 0; i < 6; i++) rm.pendingRequests.inc();
  t.equal(rm.retries.limit(), 4, 'pending requests count too: 25 % of 16');
  for (let i = 0; i < 4; i++) {
    t.ok(rm.retries.canCreate(), `retry ${i + 1} fits`);
    rm.retries.inc();
  }
  t.notOk(rm.retries.canCreate(), 'the fifth concurrent retry overflows');
  for (let i = 0; i < 6; i++) rm.pendingRequests.dec();
  t.equal(rm.retries.limit(), 2, 'the limit falls with the load');
  t.equal(stats.remainingRetries!.value, 0, 'remaining_retries reads 0 with a budget, as in Envoy');
  t.equal(stats.rqRetryOpen.value, 1, 'rq_retry_open follows max_retries (3), as in Envoy');
  rm.retries.dec();
  rm.retries.dec();
  t.equal(stats.rqRetryOpen.value, 0);
  t.equal(rm.retries.remaining(), 0);
});
