import type { Readable } from 'node:stream';
import { ResponseFlag } from '../accesslog/response-flags.js';
import type { Cluster, Host, LoadBalancerContext } from '../cluster/types.js';
import type {
  HttpConnectionManagerConfig,
  RequestMirrorPolicyConfig,
  RouterFilterConfig,
} from '../config/model.js';
import {
  type DeadlineTarget,
  FilterStatus,
  type HttpFilter,
  type HttpFilterFactory,
  type RouterStream,
} from '../filters/filter.js';
import type { HeaderMap } from '../http/header-map.js';
import { responseHeadersFromRaw } from '../http/hop-by-hop.js';
import type { HttpConnectionManagerStats } from '../stats/types.js';
import { type UpstreamFailure, upstreamFailureBody } from '../upstream/upstream-errors.js';
import { UpstreamRequest } from '../upstream/upstream-request.js';
import type { Clock } from '../util/clock.js';
import type { Random } from '../util/random.js';
import type { CompiledHeaderMutations } from './header-mutations.js';
import { originalDstContext } from './original-dst-context.js';
import { RequestBodyBuffer } from './request-body-buffer.js';
import { PendingMirror, sampleMirrors } from './request-mirror.js';
import {
  requestRetryPolicy,
  retriableReset,
  retriableResponse,
  retriesPerTryTimeout,
} from './retry-policy.js';
import { RetryDecision, RetryState } from './retry-state.js';
import type { CompiledRoute } from './route-table.js';
import { Due, RouterDeadlines } from './router-deadlines.js';
import type { ShadowTracker } from './shadow-tracker.js';
import { editUpstreamResponseHeaders } from './upstream-response-headers.js';

/** Cluster lookup the router needs (the ClusterManager implements it). */
export interface ClusterSource {
  get(name: string): Cluster | undefined;
}

export interface RouterDeps {
  readonly clusters: ClusterSource;
  readonly clock: Clock;
  readonly config: RouterFilterConfig;
  readonly hcm: HttpConnectionManagerConfig;
  readonly hcmStats: HttpConnectionManagerStats;
  /** Retry back-off jitter and mirror fractions. */
  readonly random: Random;
  /** Where mirrored (shadow) requests live until they end. */
  readonly shadows: ShadowTracker;
}

class UpstreamTimeoutError extends Error {
  readonly code = 'SKIFF_UPSTREAM_TIMEOUT';
}

/** The terminal HTTP filter: route → cluster → host → upstream request, and the response back. */
export function createRouterFactory(deps: RouterDeps): HttpFilterFactory {
  return { name: 'envoy.filters.http.router', create: (stream) => new RouterFilter(deps, stream) };
}

/**
 * Per-stream router state: picks the route's cluster and host, runs upstream attempts, retries
 * them per the route's retry policy (Envoy's RetryState), and sends the response back. Without a
 * retry policy a request costs one attempt object and no timers.
 */
class RouterFilter implements HttpFilter, DeadlineTarget {
  private route: CompiledRoute | null = null;
  private cluster: Cluster | null = null;
  private upstream: UpstreamRequest | null = null;
  private attemptStartMs = 0;
  /** The router is finished with upstream work (response complete, failed, or timed out). */
  private upstreamDone = false;
  /** The current attempt has ended (its stats are charged). */
  private attemptDone = true;
  private responseMutations: CompiledHeaderMutations | null = null;
  private drain: (() => void) | null = null;
  /** Cookies a hash policy generated, added to the upstream response (Envoy's downstream_set_cookies_). */
  private setCookies: readonly string[] | null = null;
  /** The route's hash for this request; retries re-pick with it (plus previous_hosts). */
  private lb: LoadBalancerContext | null = null;

  private readonly deadlines: RouterDeadlines;
  private attempts = 0;
  /** Null for requests without a retry policy. */
  private retry: RetryState | null = null;
  /** With a retry policy the body is kept for replay; without one it streams straight through. */
  private body: RequestBodyBuffer | null = null;
  private rawBody: Readable | null = null;

  constructor(
    private readonly deps: RouterDeps,
    private readonly stream: RouterStream,
  ) {
    this.deadlines = new RouterDeadlines(stream, this);
  }

  decodeHeaders(): FilterStatus {
    const { deps, stream } = this;
    const route = stream.route();
    if (route === null) {
      deps.hcmStats.noRoute.inc();
      stream.sendLocalReply(404, '', ResponseFlag.NoRouteFound, 'route_not_found');
      return FilterStatus.Stop;
    }
    stream.setRouteName(route.name);
    const action = route.action;
    if (action === 'direct_response') {
      this.responseMutations = route.responseMutations(null);
      deps.hcmStats.rqDirectResponse.inc();
      stream.sendLocalReply(route.directStatus, route.directBody ?? '', 0, 'direct_response');
      return FilterStatus.Stop;
    }
    if (action === 'redirect') {
      this.responseMutations = route.responseMutations(null);
      deps.hcmStats.rqRedirect.inc();
      stream.sendLocalReply(route.redirectCode, '', 0, 'redirect', [
        'location',
        route.redirectLocation(stream),
      ]);
      return FilterStatus.Stop;
    }
    this.forward(route);
    return FilterStatus.Stop;
  }

  private forward(route: CompiledRoute): void {
    const { deps, stream } = this;
    this.route = route;
    const pick = stream.clusterPick();
    const cluster = pick === null ? undefined : deps.clusters.get(pick.name);
    this.responseMutations = route.responseMutations(pick?.weighted ?? null);
    if (cluster === undefined) {
      deps.hcmStats.noCluster.inc();
      stream.sendLocalReply(
        route.clusterNotFoundResponseCode,
        '',
        ResponseFlag.NoClusterFound,
        'cluster_not_found',
      );
      return;
    }
    this.cluster = cluster;
    const od = cluster.config.originalDst;
    const lb = od === undefined ? route.lbContext(stream, cluster) : originalDstContext(stream, od);
    const host = cluster.chooseHost(lb);
    this.lb = lb;
    this.setCookies = lb.setCookies;
    if (host === null) {
      this.noHealthyUpstream(cluster);
      return;
    }
    if (route.idleTimeoutMs !== null) stream.setIdleTimeout(route.idleTimeoutMs);

    const h = stream.requestHeaders;
    // Envoy applies header mutations before path/host rewrites (visible to %REQ(:path)%).
    route.requestMutations(pick!.weighted)?.applyRequest(h, stream);
    const rewritten = route.rewritePath(stream.path);
    if (rewritten !== null) {
      h.set('x-envoy-original-path', stream.path);
      stream.path = rewritten;
    }
    const hostRewrite = route.rewriteHost(pick!.weighted);
    if (hostRewrite !== null) h.set('host', hostRewrite);
    else if (route.autoHostRewrite) h.set('host', host.hostname !== '' ? host.hostname : host.authority);

    const timeoutMs = this.timeoutFor(route, h);
    const policy = requestRetryPolicy(route.retry, h);
    const deadlines = this.deadlines;
    let expectedMs = timeoutMs;
    if (policy !== null) {
      this.retry = new RetryState(policy, cluster, deps.random);
      // A per-try timeout at or above a (non-zero) global one is ignored, as in Envoy.
      const perTry = policy.perTryTimeoutMs;
      if (perTry > 0 && (timeoutMs === 0 || perTry < timeoutMs)) {
        deadlines.perTryTimeoutMs = perTry;
        expectedMs = perTry;
      }
      deadlines.perTryIdleMs = policy.perTryIdleTimeoutMs;
    }
    if (expectedMs > 0 && !deps.config.suppressEnvoyHeaders) {
      // The route's own value is stringified once at compile time; only overrides format here.
      h.set(
        'x-envoy-expected-rq-timeout-ms',
        expectedMs === route.timeoutMs ? route.timeoutMsText : String(expectedMs),
      );
    }

    const mirrors = route.mirrorPolicies === null ? null : sampleMirrors(route.mirrorPolicies, deps.random);
    const body = stream.requestBody();
    if (body !== null && (policy !== null || mirrors !== null)) {
      const buffer = new RequestBodyBuffer(body, route.bufferLimitBytes);
      buffer.onAbandoned = () => this.onBodyAbandoned();
      this.body = buffer;
    } else {
      this.rawBody = body;
    }
    const now = deps.clock.now();
    this.startAttempt(host, now);
    if (mirrors !== null) this.mirror(mirrors, timeoutMs, body);
    if (timeoutMs > 0 || deadlines.perTryTimeoutMs > 0) {
      // Envoy's route and per-try timeouts run from the end of the downstream request.
      if (body === null || stream.requestComplete()) this.onRequestComplete(now, timeoutMs);
      else body.once('end', () => this.onRequestComplete(deps.clock.now(), timeoutMs));
    }
  }

  /**
   * Shadows of this request, with its upstream headers as sent and the route timeout. A body is
   * mirrored once complete and only if it fit the buffer (`retry_or_shadow_abandoned` otherwise).
   */
  private mirror(
    policies: readonly RequestMirrorPolicyConfig[],
    timeoutMs: number,
    body: Readable | null,
  ): void {
    const { deps, stream } = this;
    const flat = stream.requestHeaders.flat();
    const pending = new PendingMirror(deps, policies, stream.method, stream.path, flat, timeoutMs);
    if (body === null) pending.send(null);
    else {
      const buffer = this.body!;
      body.once('end', () => pending.afterBody(buffer));
    }
  }

  /** Route timeout, overridable per request by `x-envoy-upstream-rq-timeout-ms` (consumed). */
  private timeoutFor(route: CompiledRoute, h: HeaderMap): number {
    const override = h.get('x-envoy-upstream-rq-timeout-ms');
    if (override === undefined) return route.timeoutMs;
    h.remove('x-envoy-upstream-rq-timeout-ms');
    const ms = Number(override);
    return Number.isInteger(ms) && ms >= 0 ? ms : route.timeoutMs;
  }

  private onRequestComplete(nowMs: number, timeoutMs: number): void {
    if (this.upstreamDone) return;
    const deadlines = this.deadlines;
    if (timeoutMs > 0) deadlines.globalMs = nowMs + timeoutMs;
    if (!this.attemptDone && !this.stream.responseStarted) deadlines.startPerTry(nowMs);
    deadlines.rearm(!this.attemptDone);
  }

  // ─── attempts ─────────────────────────────────────────────────────────────────────────
  private startAttempt(host: Host, nowMs: number): void {
    const { stream } = this;
    const cluster = this.cluster!;
    this.attempts++;
    this.retry?.recordAttempt(host);
    stream.setUpstream(cluster.name, host.authority);
    const h = stream.requestHeaders;
    if (this.route!.virtualHost.includeRequestAttemptCount)
      h.set('x-envoy-attempt-count', String(this.attempts));
    const trace = stream.trace;
    if (trace != null) trace.startAttempt(h, cluster.name, host.authority, this.route);
    const upstream = new UpstreamRequest(host, this);
    this.upstream = upstream;
    this.attemptDone = false;
    this.attemptStartMs = nowMs;
    const deadlines = this.deadlines;
    deadlines.lastActivityMs = nowMs;
    cluster.stats.upstreamRqTotal.inc();
    cluster.stats.upstreamRqActive.inc();
    const body = this.body !== null ? this.body.attemptBody() : this.rawBody;
    upstream.start({ method: stream.method, path: stream.path, headers: h.flat(), body });
    if (this.attempts > 1) {
      // Per-try deadlines restart with each retry (the first one starts at request end).
      if (stream.requestBody() === null || stream.requestComplete()) deadlines.startPerTry(nowMs);
      deadlines.rearm(true);
    } else if (deadlines.perTryIdleMs > 0) {
      deadlines.rearm(true);
    }
  }

  /** Charges the current attempt's end (its stats and byte count). */
  private endAttempt(): void {
    if (this.attemptDone) return;
    this.attemptDone = true;
    this.stream.trace?.endAttempt();
    this.deadlines.perTryMs = Infinity;
    this.cluster!.stats.upstreamRqActive.dec();
    this.stream.setBytesReceived(this.upstream!.bytesSent);
  }

  /** Ends all upstream work: no more attempts, deadlines or retries. */
  private endUpstream(): void {
    this.endAttempt();
    this.upstreamDone = true;
    this.deadlines.clear();
    this.retry?.cancel();
  }

  /** DeadlineTarget: the earliest deadline passed (or the per-try idle one moved on). */
  onDeadline(): void {
    const deadlines = this.deadlines;
    deadlines.fired();
    if (this.upstreamDone) return;
    const due = deadlines.due(this.deps.clock.now(), !this.attemptDone);
    if (due === Due.None) {
      deadlines.rearm(!this.attemptDone);
      return;
    }
    if (due === Due.Global) this.onGlobalTimeout();
    else this.onPerTryTimeout(due === Due.PerTryIdle);
  }

  private onGlobalTimeout(): void {
    this.stream.trace?.attemptFailed(ResponseFlag.UpstreamRequestTimeout);
    const upstream = this.upstream;
    const cluster = this.cluster!;
    const attemptRunning = !this.attemptDone;
    this.endUpstream();
    cluster.stats.upstreamRqTimeout.inc();
    if (attemptRunning && upstream !== null) {
      upstream.host.counters.rqTimeout++;
      upstream.abort(new UpstreamTimeoutError('upstream request timeout'));
    }
    this.timeoutReply('upstream_response_timeout');
  }

  private onPerTryTimeout(idle: boolean): void {
    this.stream.trace?.attemptFailed(ResponseFlag.UpstreamRequestTimeout);
    const upstream = this.upstream!;
    const stats = this.cluster!.stats;
    (idle ? stats.upstreamRqPerTryIdleTimeout : stats.upstreamRqPerTryTimeout).inc();
    upstream.host.counters.rqTimeout++;
    this.endAttempt();
    upstream.abort(new UpstreamTimeoutError('upstream per-try timeout'));
    const details = idle ? 'upstream_per_try_idle_timeout' : 'upstream_per_try_timeout';
    if (!this.stream.responseStarted && retriesPerTryTimeout(this.retry!.policy) && this.scheduleRetry())
      return;
    this.endUpstream();
    this.timeoutReply(details);
  }

  /** 504 `upstream request timeout` (UT), or a reset once the response has started. */
  private timeoutReply(details: string): void {
    const stream = this.stream;
    stream.setResponseFlag(ResponseFlag.UpstreamRequestTimeout);
    if (stream.responseStarted) {
      stream.resetStream(ResponseFlag.UpstreamRequestTimeout, details);
      return;
    }
    this.cluster!.stats.recordResponse(504);
    stream.sendLocalReply(504, 'upstream request timeout', ResponseFlag.UpstreamRequestTimeout, details);
  }

  // ─── retries ──────────────────────────────────────────────────────────────────────────
  /** Asks the retry state for another attempt; false when none happens (the caller answers). */
  private scheduleRetry(): boolean {
    if (this.body !== null && !this.body.replayable) return false;
    const decision = this.retry!.schedule(this.attempts, () => this.retryNow());
    if (decision === RetryDecision.LimitExceeded) {
      this.stream.setResponseFlag(ResponseFlag.UpstreamRetryLimitExceeded);
      return false;
    }
    if (decision === RetryDecision.Overflow) {
      this.stream.setResponseFlag(ResponseFlag.UpstreamOverflow);
      return false;
    }
    // The attempt is over: only the route timeout watches the back-off.
    this.deadlines.rearm(false);
    return true;
  }

  /** Back-off over: the next attempt, unless the route timeout passed meanwhile. */
  private retryNow(): void {
    if (this.upstreamDone) return;
    const now = this.deps.clock.now();
    if (now >= this.deadlines.globalMs) {
      this.onGlobalTimeout();
      return;
    }
    const host = this.retry!.pickHost(this.lb!);
    if (host === null) {
      this.endUpstream();
      this.noHealthyUpstream(this.cluster!);
      return;
    }
    this.startAttempt(host, now);
  }

  /** The body outgrew the retry buffer: no retry can replay it any more. */
  private onBodyAbandoned(): void {
    this.cluster?.stats.retryOrShadowAbandoned.inc();
    if (this.retry === null || !this.retry.backingOff || this.upstreamDone) return;
    // A retry was waiting for its back-off and can no longer send the whole body: Envoy's 507.
    this.endUpstream();
    this.stream.sendLocalReply(
      507,
      'exceeded request buffer limit while retrying upstream',
      0,
      'request_payload_exceeded_retry_buffer_limit',
    );
  }

  private noHealthyUpstream(cluster: Cluster): void {
    // chooseHost already counted upstream_cx_none_healthy.
    this.stream.setUpstream(cluster.name, null);
    this.stream.sendLocalReply(
      503,
      'no healthy upstream',
      ResponseFlag.NoHealthyUpstream,
      'no_healthy_upstream',
    );
  }

  // ─── UpstreamCallbacks ────────────────────────────────────────────────────────────────
  onUpstreamHeaders(statusCode: number, raw: Buffer[]): boolean {
    const { deps, stream } = this;
    const now = deps.clock.now();
    const cluster = this.cluster!;
    const h = responseHeadersFromRaw(raw);
    stream.trace?.attemptStatus(statusCode);
    // The upstream asks to be taken out of rotation now (acted on when active HC is configured).
    if (h.has('x-envoy-immediate-health-check-fail')) cluster.onImmediateHealthCheckFail(this.upstream!.host);
    const retry = this.retry;
    if (retry !== null) {
      if (retriableResponse(retry.policy, statusCode, h)) {
        if (this.scheduleRetry()) {
          // Envoy charges the discarded response and resets the attempt.
          cluster.stats.recordResponse(statusCode);
          const upstream = this.upstream!;
          this.endAttempt();
          upstream.abort(new Error('retrying'));
          return false;
        }
        // No retry after all (limit, breaker, body not replayable): this response goes downstream.
      } else if (retry.retried) {
        cluster.stats.upstreamRqRetrySuccess.inc();
      }
    }
    this.deadlines.lastActivityMs = now;
    this.deadlines.perTryMs = Infinity;
    stream.markUpstreamResponse(now);
    const up = this.upstream!;
    const tls = up.tls;
    if (tls !== null) stream.setUpstreamPeer?.(tls.peerUriSan, tls.localUriSan);
    stream.setUpstreamLocalAddress?.(up.localAddress);
    const attempts = this.route!.virtualHost.includeAttemptCountInResponse ? this.attempts : 0;
    editUpstreamResponseHeaders(h, deps, now - this.attemptStartMs, attempts, this.setCookies);
    cluster.stats.recordResponse(statusCode);
    stream.setResponseCodeDetails('via_upstream');
    try {
      stream.encodeHeaders(statusCode, h, false);
    } catch {
      // Node refused a header the upstream sent (e.g. an invalid value): Envoy answers 502 UPE.
      const upstream = this.upstream;
      this.endUpstream();
      upstream?.abort(new Error('invalid upstream response headers'));
      stream.sendLocalReply(
        502,
        'upstream connect error or disconnect/reset before headers. reset reason: protocol error',
        ResponseFlag.UpstreamProtocolError,
        'upstream_reset_before_response_started{protocol_error}',
      );
      return false;
    }
    return true;
  }

  onRequestProgress(): void {
    this.stream.touch();
    if (this.deadlines.perTryIdleMs > 0) this.deadlines.lastActivityMs = this.deps.clock.now();
  }

  onUpstreamData(chunk: Buffer): boolean {
    this.stream.touch();
    if (this.deadlines.perTryIdleMs > 0) this.deadlines.lastActivityMs = this.deps.clock.now();
    if (this.stream.encodeData(chunk)) return true;
    if (this.drain === null) {
      this.drain = () => this.upstream?.resume();
      this.stream.onDownstreamDrain(this.drain);
    }
    return false;
  }

  onUpstreamComplete(): void {
    if (this.upstreamDone) return;
    this.endUpstream();
    this.cluster!.stats.upstreamRqTime.observe(this.deps.clock.now() - this.attemptStartMs);
    this.stream.encodeComplete();
  }

  onUpstreamFailure(f: UpstreamFailure): void {
    if (this.upstreamDone || this.attemptDone) return;
    const upstream = this.upstream!;
    this.stream.trace?.attemptFailed(f.flag);
    this.endAttempt();
    const { stream } = this;
    const stats = this.cluster!.stats;
    stream.setUpstreamFailureReason(f.transportFailureReason);
    if (f.flag === ResponseFlag.UpstreamConnectionTermination)
      stats.upstreamCxDestroyRemoteWithActiveRq.inc();
    if (!f.connectFailure && f.reason !== 'overflow') stats.upstreamRqRxReset.inc();
    const retry = this.retry;
    if (
      retry !== null &&
      !stream.responseStarted &&
      retriableReset(retry.policy, f.reason, f.connectFailure, upstream.requestStarted) &&
      this.scheduleRetry()
    ) {
      return;
    }
    this.endUpstream();
    this.failureReply(f);
  }

  private failureReply(f: UpstreamFailure): void {
    const { stream } = this;
    const cause = f.transportFailureReason === null ? f.reason : `${f.reason},${f.transportFailureReason}`;
    const details = `upstream_reset_${stream.responseStarted ? 'after' : 'before'}_response_started{${cause.replaceAll(' ', '_')}}`;
    if (stream.responseStarted) {
      stream.resetStream(f.flag, details);
      return;
    }
    // Envoy answers upstream protocol errors with 502 (since 1.18), every other reset with 503.
    const status = f.reason === 'protocol error' ? 502 : 503;
    // Envoy charges the local reply's code to the cluster (chargeUpstreamAbort).
    this.cluster!.stats.recordResponse(status);
    const extra = f.reason === 'overflow' ? OVERLOADED : undefined;
    stream.sendLocalReply(status, upstreamFailureBody(f), f.flag, details, extra);
  }

  // ─── HttpFilter ───────────────────────────────────────────────────────────────────────
  encodeHeaders(stream: RouterStream, _status: number, headers: HeaderMap): void {
    this.responseMutations?.applyResponse(headers, stream);
  }

  onDestroy(): void {
    const running = !this.upstreamDone && !this.attemptDone;
    const upstream = this.upstream;
    this.retry?.cancel();
    if (!this.upstreamDone) this.endUpstream();
    if (running && upstream !== null) {
      // The downstream went away (or was reset) first: cancel the upstream so it is not reused.
      this.cluster!.stats.upstreamRqTxReset.inc();
      upstream.abort(new Error('downstream closed'));
    }
  }
}

/** Circuit-breaker overflow replies tell the client the request was shed. */
const OVERLOADED: readonly string[] = ['x-envoy-overloaded', 'true'];
