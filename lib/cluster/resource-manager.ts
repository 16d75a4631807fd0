import type { CircuitBreakerThresholdsConfig, RetryBudgetConfig } from '../config/model.js';
import type { CircuitBreakerStats, GaugeCell } from '../stats/types.js';

/**
 * Circuit-breaker resources of one cluster at one routing priority (Envoy's ResourceManager).
 * A resource is a counter with a limit; callers ask `canCreate()` before taking one and always
 * give it back. Defaults match Envoy: 1024 connections, pending requests and requests, 3 retries.
 * Like Envoy's ManagedResourceImpl, every inc/dec refreshes the `*_open` gauge and, with
 * track_remaining, the `remaining_*` gauge (two field writes, no allocation).
 */
export class Resource {
  count = 0;
  constructor(
    public max: number,
    private readonly openGauge: GaugeCell | null | undefined = null,
    private readonly remainingGauge: GaugeCell | null | undefined = null,
  ) {
    remainingGauge?.set(max);
  }

  canCreate(): boolean {
    return this.count < this.max;
  }

  inc(): void {
    this.count++;
    this.updateGauges();
  }

  dec(): void {
    this.count--;
    this.updateGauges();
  }

  /** Envoy's `remaining_*` gauge. */
  remaining(): number {
    return Math.max(0, this.max - this.count);
  }

  protected updateGauges(): void {
    this.openGauge?.set(this.count >= this.max ? 1 : 0);
    this.remainingGauge?.set(this.remaining());
  }
}

/**
 * The retries resource. With a retry budget its limit follows the load:
 * max(min_retry_concurrency, ⌊budget_percent % × (active + pending requests)⌋), computed when
 * asked (Envoy's RetryBudgetImpl::max). As in Envoy, `rq_retry_open` keeps tracking the static
 * max_retries and `remaining_retries` reads 0 while a budget is in use, since the budget moves
 * with other resources.
 */
export class RetryResource extends Resource {
  constructor(
    max: number,
    private readonly budget: RetryBudgetConfig | null,
    private readonly requests: Resource,
    private readonly pending: Resource,
    openGauge: GaugeCell | null | undefined = null,
    remainingRetries: GaugeCell | null | undefined = null,
  ) {
    super(max, openGauge, remainingRetries);
    if (budget !== null) remainingRetries?.set(0);
  }

  /** The limit in force now. */
  limit(): number {
    const b = this.budget;
    if (b === null) return this.max;
    const active = this.requests.count + this.pending.count;
    return Math.max(Math.floor((b.budgetPercent / 100) * active), b.minRetryConcurrency);
  }

  override canCreate(): boolean {
    return this.count < this.limit();
  }

  override remaining(): number {
    return this.budget === null ? super.remaining() : 0;
  }
}

export interface ResourceLimits {
  readonly maxConnections: number;
  readonly maxPendingRequests: number;
  readonly maxRequests: number;
  readonly maxRetries: number;
  /** Null or absent: unlimited. */
  readonly maxConnectionPools?: number | null;
  /** Absent or null: max_retries applies. */
  readonly retryBudget?: RetryBudgetConfig | null;
}

export const DEFAULT_RESOURCE_LIMITS: ResourceLimits = {
  maxConnections: 1024,
  maxPendingRequests: 1024,
  maxRequests: 1024,
  maxRetries: 3,
};

/** Envoy's "unlimited" max_connection_pools (uint64 max); a JS number compares the same. */
const UNLIMITED = Number.MAX_SAFE_INTEGER;

/** The five breakers of one cluster at one priority, each with its gauges. */
export class ResourceManager {
  readonly connections: Resource;
  readonly pendingRequests: Resource;
  readonly requests: Resource;
  readonly retries: RetryResource;
  readonly connectionPools: Resource;

  constructor(limits: ResourceLimits = DEFAULT_RESOURCE_LIMITS, stats: CircuitBreakerStats | null = null) {
    this.connections = new Resource(limits.maxConnections, stats?.cxOpen, stats?.remainingCx);
    this.pendingRequests = new Resource(
      limits.maxPendingRequests,
      stats?.rqPendingOpen,
      stats?.remainingPending,
    );
    this.requests = new Resource(limits.maxRequests, stats?.rqOpen, stats?.remainingRq);
    this.retries = new RetryResource(
      limits.maxRetries,
      limits.retryBudget ?? null,
      this.requests,
      this.pendingRequests,
      stats?.rqRetryOpen,
      stats?.remainingRetries,
    );
    this.connectionPools = new Resource(limits.maxConnectionPools ?? UNLIMITED, stats?.cxPoolOpen);
    // Envoy starts every open gauge at 0 (a limit of 0 opens it only on the first attempt).
    stats?.cxOpen.set(0);
    stats?.cxPoolOpen.set(0);
    stats?.rqPendingOpen.set(0);
    stats?.rqOpen.set(0);
    stats?.rqRetryOpen.set(0);
  }

  /** A cluster's breakers at one priority, from its decoded thresholds. */
  static fromConfig(t: CircuitBreakerThresholdsConfig, stats: CircuitBreakerStats | null): ResourceManager {
    return new ResourceManager(
      {
        maxConnections: t.maxConnections,
        maxPendingRequests: t.maxPendingRequests,
        maxRequests: t.maxRequests,
        maxRetries: t.maxRetries,
        maxConnectionPools: t.maxConnectionPools,
        retryBudget: t.retryBudget,
      },
      stats,
    );
  }
}
