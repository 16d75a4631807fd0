import type { Cluster, Host, LoadBalancerContext } from '../cluster/types.js';
import type { Random } from '../util/random.js';
import { backOffMs, type CompiledRetryPolicy } from './retry-policy.js';

/** What a retry decision came to. */
export const RetryDecision = { Retry: 0, LimitExceeded: 1, Overflow: 2 } as const;
export type RetryDecision = (typeof RetryDecision)[keyof typeof RetryDecision];

/**
 * Envoy's RetryState for one request: the retries left, the back-off timer, the hosts already
 * tried (previous_hosts), and the hold on the cluster's `max_retries` breaker, which a retry keeps
 * from its decision until the next decision or the end of the request, as Envoy counts it.
 */
export class RetryState {
  /** A retry was made: a later final response counts as `upstream_rq_retry_success`. */
  retried = false;
  private left: number;
  private readonly tried: Set<Host> | null;
  private timer: NodeJS.Timeout | null = null;
  private holdsBreaker = false;

  constructor(
    readonly policy: CompiledRetryPolicy,
    private readonly cluster: Cluster,
    private readonly random: Random,
  ) {
    this.left = policy.numRetries;
    this.tried = policy.previousHosts ? new Set() : null;
  }

  /** True while a retry waits for its back-off. */
  get backingOff(): boolean {
    return this.timer !== null;
  }

  recordAttempt(host: Host): void {
    this.tried?.add(host);
  }

  /**
   * Envoy's shouldRetry: spends one retry, checks the breaker, then calls `retry` after the
   * jittered back-off for retry number `attempts`. Counts the stats of each outcome.
   */
  schedule(attempts: number, retry: () => void): RetryDecision {
    const stats = this.cluster.stats;
    if (this.left === 0) {
      stats.upstreamRqRetryLimitExceeded.inc();
      return RetryDecision.LimitExceeded;
    }
    this.left--;
    this.releaseBreaker();
    const breaker = this.cluster.resources('DEFAULT').retries;
    if (!breaker.canCreate()) {
      stats.upstreamRqRetryOverflow.inc();
      return RetryDecision.Overflow;
    }
    breaker.inc();
    this.holdsBreaker = true;
    stats.upstreamRqRetry.inc();
    this.retried = true;
    this.timer = setTimeout(
      () => {
        this.timer = null;
        retry();
      },
      backOffMs(this.policy, attempts, this.random),
    );
    return RetryDecision.Retry;
  }

  /** previous_hosts: avoid hosts already tried, re-picking up to host_selection_retry_max_attempts. */
  pickHost(lb: LoadBalancerContext): Host | null {
    const tried = this.tried;
    if (tried === null) return this.cluster.chooseHost(lb);
    const ctx: LoadBalancerContext = { hash: lb.hash, excluded: tried, originalDstHost: lb.originalDstHost };
    let host = this.cluster.chooseHost(ctx);
    for (let i = 0; host !== null && tried.has(host) && i < this.policy.hostSelectionMaxAttempts; i++) {
      host = this.cluster.chooseHost(ctx);
    }
    return host;
  }

  /** The request is over: no back-off, no hold on the breaker. */
  cancel(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    this.releaseBreaker();
  }

  private releaseBreaker(): void {
    if (this.holdsBreaker) {
      this.holdsBreaker = false;
      this.cluster.resources('DEFAULT').retries.dec();
    }
  }
}
