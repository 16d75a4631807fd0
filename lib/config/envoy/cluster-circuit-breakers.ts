import type { CircuitBreakersConfig, CircuitBreakerThresholdsConfig, RetryBudgetConfig } from '../model.js';
import type { FieldReader } from '../reader.js';
import { CIRCUIT_BREAKERS_RULES, RETRY_BUDGET_RULES, THRESHOLDS_RULES } from './field-rules.js';
import { warnNotEnforced } from './not-enforced.js';

type Priority = 'DEFAULT' | 'HIGH';
const PRIORITIES: readonly Priority[] = ['DEFAULT', 'HIGH'];

/** Envoy's defaults (circuit_breaker.proto): 1024 / 1024 / 1024, 3 retries, pools unlimited. */
export const DEFAULT_THRESHOLDS: CircuitBreakerThresholdsConfig = {
  maxConnections: 1024,
  maxPendingRequests: 1024,
  maxRequests: 1024,
  maxRetries: 3,
  retryBudget: null,
  trackRemaining: false,
  maxConnectionPools: null,
};

export const DEFAULT_CIRCUIT_BREAKERS: CircuitBreakersConfig = {
  default: DEFAULT_THRESHOLDS,
  high: DEFAULT_THRESHOLDS,
};

/** Decodes `Cluster.circuit_breakers`; absent → Envoy's defaults for both priorities. */
export function readCircuitBreakers(r: FieldReader): CircuitBreakersConfig {
  const cb = r.object('circuit_breakers');
  if (cb === undefined) return DEFAULT_CIRCUIT_BREAKERS;
  const found: Partial<Record<Priority, CircuitBreakerThresholdsConfig>> = {};
  for (const t of cb.objects('thresholds')) {
    const priority = t.enumValue('priority', PRIORITIES) ?? 'DEFAULT';
    const thresholds = readThresholds(t);
    // Envoy: with several entries for one priority the first one is used.
    if (found[priority] === undefined) found[priority] = thresholds;
    else t.warn('priority', `a thresholds entry for ${priority} is already given; this one is ignored`);
  }
  cb.finish(CIRCUIT_BREAKERS_RULES);
  return { default: found.DEFAULT ?? DEFAULT_THRESHOLDS, high: found.HIGH ?? DEFAULT_THRESHOLDS };
}

function readThresholds(t: FieldReader): CircuitBreakerThresholdsConfig {
  const d = DEFAULT_THRESHOLDS;
  const maxConnections = t.int('max_connections') ?? d.maxConnections;
  const maxPendingRequests = t.int('max_pending_requests') ?? d.maxPendingRequests;
  const maxRequests = t.int('max_requests') ?? d.maxRequests;
  const maxRetries = t.int('max_retries') ?? d.maxRetries;
  const retryBudget = readRetryBudget(t);
  const trackRemaining = t.bool('track_remaining') ?? false;
  // Tracked (cx_pool_open) but not enforced: Skiff has one pool per host and never reclaims one.
  warnNotEnforced(t, 'max_connection_pools', 'connection-pool reclaiming');
  const maxConnectionPools = t.int('max_connection_pools') ?? null;
  t.finish(THRESHOLDS_RULES);
  return {
    maxConnections,
    maxPendingRequests,
    maxRequests,
    maxRetries,
    retryBudget,
    trackRemaining,
    maxConnectionPools,
  };
}

function readRetryBudget(t: FieldReader): RetryBudgetConfig | null {
  const rb = t.object('retry_budget');
  if (rb === undefined) return null;
  let budgetPercent = 20;
  const pct = rb.object('budget_percent');
  if (pct !== undefined) {
    budgetPercent = pct.number('value', 0, 100) ?? 20;
    pct.finish();
  }
  const minRetryConcurrency = rb.int('min_retry_concurrency') ?? 3;
  // Newer Envoy counts requests over a window when budget_interval is set; 0 means "in flight".
  const intervalMs = rb.duration('budget_interval');
  if (intervalMs !== undefined && intervalMs > 0)
    rb.error('budget_interval', 'budget_interval is not supported yet (only 0, requests in flight)');
  rb.finish(RETRY_BUDGET_RULES);
  return { budgetPercent, minRetryConcurrency };
}
