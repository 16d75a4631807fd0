import t from 'tap';
import { formatIssue } from '../../../lib/config/errors.js';
import { loadConfigText } from '../../../lib/config/load.js';
import type { CircuitBreakersConfig } from '../../../lib/config/model.js';
import { minimal } from './fixtures.js';

const CB = 'static_resources.clusters[0].circuit_breakers';

/** The minimal bootstrap with `yaml` (indented for the cluster) added to its cluster. */
function withBreakers(yaml: string): string {
  return `${minimal()}    circuit_breakers:\n${yaml
    .trim()
    .split('\n')
    .map((l) => `      ${l}`)
    .join('\n')}\n`;
}

function decode(yaml: string): { cb: CircuitBreakersConfig; warnings: string[] } {
  const r = loadConfigText(withBreakers(yaml), 'cb.yaml');
  if (!r.ok) throw new Error(r.issues.map(formatIssue).join('\n'));
  return { cb: r.bootstrap.clusters[0]!.circuitBreakers, warnings: r.warnings.map(formatIssue) };
}

function issues(yaml: string): string[] {
  const r = loadConfigText(withBreakers(yaml), 'cb.yaml');
  return r.ok ? [] : r.issues.map(formatIssue);
}

const ENVOY = {
  maxConnections: 1024,
  maxPendingRequests: 1024,
  maxRequests: 1024,
  maxRetries: 3,
  retryBudget: null,
  trackRemaining: false,
  maxConnectionPools: null,
};

t.test('absent or empty → Envoy defaults for both priorities', async (t) => {
  const r = loadConfigText(minimal(), 'x.yaml');
  t.ok(r.ok);
  if (r.ok) t.same(r.bootstrap.clusters[0]!.circuitBreakers, { default: ENVOY, high: ENVOY });
  t.same(decode('{}').cb, { default: ENVOY, high: ENVOY });
  t.same(decode('thresholds: [{}]').cb, { default: ENVOY, high: ENVOY }, 'priority defaults to DEFAULT');
});

t.test('every field, per priority; the first entry of a priority wins', async (t) => {
  const { cb, warnings } = decode(`
thresholds:
- priority: HIGH
  max_connections: 10
  max_pending_requests: "20"
  max_requests: 30
  max_retries: 0
  track_remaining: true
  max_connection_pools: 4
- maxConnections: 1
  retryBudget: {budgetPercent: {value: 25.5}, minRetryConcurrency: 1}
- priority: DEFAULT
  max_connections: 99
`);
  t.same(cb.high, {
    maxConnections: 10,
    maxPendingRequests: 20,
    maxRequests: 30,
    maxRetries: 0,
    retryBudget: null,
    trackRemaining: true,
    maxConnectionPools: 4,
  });
  t.same(cb.default, {
    ...ENVOY,
    maxConnections: 1,
    retryBudget: { budgetPercent: 25.5, minRetryConcurrency: 1 },
  });
  t.same(warnings, [
    `cb.yaml: ${CB}.thresholds[0].max_connection_pools: decoded but not enforced yet (coming with connection-pool reclaiming)`,
    `cb.yaml: ${CB}.thresholds[2].priority: a thresholds entry for DEFAULT is already given; this one is ignored`,
  ]);
});

t.test('retry_budget defaults: 20 % and 3', async (t) => {
  t.same(decode('thresholds: [{retry_budget: {}}]').cb.default.retryBudget, {
    budgetPercent: 20,
    minRetryConcurrency: 3,
  });
  t.same(decode('thresholds: [{retry_budget: {budget_interval: 0s}}]').cb.default.retryBudget, {
    budgetPercent: 20,
    minRetryConcurrency: 3,
  });
});

t.test('bad input: one clear issue per problem, with the field path', async (t) => {
  t.same(issues('thresholds: [{max_connection: 1}]'), [
    `cb.yaml: ${CB}.thresholds[0]: unknown field "max_connection"`,
  ]);
  t.same(issues('thresholds: [{priority: LOW}]'), [
    `cb.yaml: ${CB}.thresholds[0].priority: unknown value "LOW"; expected one of DEFAULT, HIGH`,
  ]);
  t.same(issues('thresholds: [{max_requests: -1}]'), [
    `cb.yaml: ${CB}.thresholds[0].max_requests: -1 is out of range; must be at least 0`,
  ]);
  t.same(issues('thresholds: [{max_pending_requests: many}]'), [
    `cb.yaml: ${CB}.thresholds[0].max_pending_requests: expected an integer, got a string ("many")`,
  ]);
  t.same(issues('thresholds: [{track_remaining: yes please}]'), [
    `cb.yaml: ${CB}.thresholds[0].track_remaining: expected a boolean, got a string ("yes please")`,
  ]);
  t.same(issues('thresholds: [{retry_budget: {budget_percent: {value: 120}}}]'), [
    `cb.yaml: ${CB}.thresholds[0].retry_budget.budget_percent.value: 120 is out of range; must be 0–100`,
  ]);
  t.same(issues('thresholds: [{retry_budget: {budget_percent: 20}}]'), [
    `cb.yaml: ${CB}.thresholds[0].retry_budget.budget_percent: expected an object, got a number (20)`,
  ]);
  t.same(issues('thresholds: [{retry_budget: {budget_interval: 1s}}]'), [
    `cb.yaml: ${CB}.thresholds[0].retry_budget.budget_interval: budget_interval is not supported yet (only 0, requests in flight)`,
  ]);
  t.same(issues('thresholds: [{retry_budget: {percent: 1}}]'), [
    `cb.yaml: ${CB}.thresholds[0].retry_budget: unknown field "percent"`,
  ]);
  t.same(issues('thresholds: {max_requests: 1}'), [
    `cb.yaml: ${CB}.thresholds: expected a list, got an object`,
  ]);
  t.same(issues('per_host_thresholds: [{max_connections: 1}]'), [
    `cb.yaml: ${CB}.per_host_thresholds: per_host_thresholds is not supported yet (only cluster-wide thresholds are enforced)`,
  ]);
  t.same(issues('breakers: []'), [`cb.yaml: ${CB}: unknown field "breakers"`]);
});
