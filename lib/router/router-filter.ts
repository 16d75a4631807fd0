import { ResponseFlag } from '../accesslog/response-flags.js';
import type { Cluster, LoadBalancerContext } from '../cluster/types.js';
import type { HttpConnectionManagerConfig, RouterFilterConfig } from '../config/model.js';
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
import type { CompiledHeaderMutations } from './header-mutations.js';
import type { CompiledRoute, RouteTable } from './route-table.js';

/** Cluster lookup the router needs (the ClusterManager implements it). */
export interface ClusterSource {
  get(name: string): Cluster | undefined;
}

export interface RouterDeps {
  readonly table: RouteTable;
  readonly clusters: ClusterSource;
  readonly clock: Clock;
  readonly config: RouterFilterConfig;
  readonly hcm: HttpConnectionManagerConfig;
  readonly hcmStats: HttpConnectionManagerStats;
}

const NO_LB_CONTEXT: LoadBalancerContext = { hash: null, excluded: null };
const OVERLOADED: readonly string[] = ['x-envoy-overloaded', 'true'];

class UpstreamTimeoutError extends Error {
  readonly code = 'SKIFF_UPSTREAM_TIMEOUT';
}

/** The terminal HTTP filter: route → cluster → host → upstream request, and the response back. */
export function createRouterFactory(deps: RouterDeps): HttpFilterFactory {
  return { name: 'envoy.filters.http.router', create: (stream) => new RouterFilter(deps, stream) };
}

/**
 * Per-stream router state. One upstream attempt for now; the retry state machine (resilience
 * issue) wraps `startAttempt` and re-picks a host on each try.
 */
class RouterFilter implements HttpFilter, DeadlineTarget {
  private cluster: Cluster | null = null;
  private upstream: UpstreamRequest | null = null;
  private upstreamStartMs = 0;
  private upstreamDone = false;
  private deadlineArmed = false;
  private responseMutations: CompiledHeaderMutations | null = null;
  private drain: (() => void) | null = null;

  constructor(
    private readonly deps: RouterDeps,
    private readonly stream: RouterStream,
  ) {}

  decodeHeaders(): FilterStatus {
    const { deps, stream } = this;
    const vhost = deps.table.selectVirtualHost(stream.authority);
    const route = vhost === null ? null : vhost.match(stream);
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
    const pick = route.pickCluster(stream);
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
    const host = cluster.chooseHost(NO_LB_CONTEXT);
    if (host === null) {
      // chooseHost already counted upstream_cx_none_healthy.
      stream.setUpstream(cluster.name, null);
      stream.sendLocalReply(
        503,
        'no healthy upstream',
        ResponseFlag.NoHealthyUpstream,
        'no_healthy_upstream',
      );
      return;
    }
    stream.setUpstream(cluster.name, host.authority);
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
    if (timeoutMs > 0 && !deps.config.suppressEnvoyHeaders) {
      // The route's own value is stringified once at compile time; only overrides format here.
      const text = timeoutMs === route.timeoutMs ? route.timeoutMsText : String(timeoutMs);
      h.set('x-envoy-expected-rq-timeout-ms', text);
    }

    const upstream = new UpstreamRequest(host, this);
    this.upstream = upstream;
    this.upstreamStartMs = deps.clock.now();
    cluster.stats.upstreamRqTotal.inc();
    cluster.stats.upstreamRqActive.inc();
    const body = stream.requestBody();
    upstream.start({ method: stream.method, path: stream.path, headers: h.flat(), body });
    if (timeoutMs > 0) {
      // Envoy's route timeout runs from the end of the downstream request.
      if (body === null || stream.requestComplete()) this.armTimeout(this.upstreamStartMs, timeoutMs);
      else body.once('end', () => this.armTimeout(deps.clock.now(), timeoutMs));
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

  private armTimeout(nowMs: number, ms: number): void {
    if (this.upstreamDone || this.deadlineArmed) return;
    this.deadlineArmed = true;
    this.stream.armDeadline(nowMs + ms, this);
  }

  /** DeadlineTarget: the route timeout expired. */
  onDeadline(): void {
    this.deadlineArmed = false;
    const upstream = this.upstream;
    if (upstream === null || this.upstreamDone) return;
    this.endUpstream();
    upstream.host.counters.rqTimeout++;
    this.cluster!.stats.upstreamRqTimeout.inc();
    upstream.abort(new UpstreamTimeoutError('upstream request timeout'));
    const stream = this.stream;
    stream.setResponseFlag(ResponseFlag.UpstreamRequestTimeout);
    if (stream.responseStarted) {
      stream.resetStream(ResponseFlag.UpstreamRequestTimeout, 'upstream_response_timeout');
      return;
    }
    this.cluster!.stats.recordResponse(504);
    stream.sendLocalReply(
      504,
      'upstream request timeout',
      ResponseFlag.UpstreamRequestTimeout,
      'upstream_response_timeout',
    );
  }

  private endUpstream(): void {
    this.upstreamDone = true;
    if (this.deadlineArmed) {
      this.deadlineArmed = false;
      this.stream.clearDeadline();
    }
    this.cluster!.stats.upstreamRqActive.dec();
    this.stream.setBytesReceived(this.upstream!.bytesSent);
  }

  // ─── UpstreamCallbacks ────────────────────────────────────────────────────────────────
  onUpstreamHeaders(statusCode: number, raw: Buffer[]): boolean {
    const { deps, stream } = this;
    const now = deps.clock.now();
    stream.markUpstreamResponse(now);
    const h = responseHeadersFromRaw(raw);
    if (!deps.config.suppressEnvoyHeaders) {
      h.set('x-envoy-upstream-service-time', String(Math.round(now - this.upstreamStartMs)));
    }
    const via = deps.hcm.via;
    if (via !== '') {
      const prior = h.get('via');
      h.set('via', prior === undefined ? via : `${prior}, ${via}`);
    }
    const serverMode = deps.hcm.serverHeaderTransformation;
    if (serverMode === 'OVERWRITE' || (serverMode === 'APPEND_IF_ABSENT' && !h.has('server'))) {
      h.set('server', deps.hcm.serverName);
    }
    this.cluster!.stats.recordResponse(statusCode);
    stream.setResponseCodeDetails('via_upstream');
    try {
      stream.encodeHeaders(statusCode, h, false);
    } catch {
      // Node refused a header the upstream sent (e.g. an invalid value): Envoy answers 502 UPE.
      this.endUpstream();
      this.upstream?.abort(new Error('invalid upstream response headers'));
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
  }

  onUpstreamData(chunk: Buffer): boolean {
    this.stream.touch();
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
    this.cluster!.stats.upstreamRqTime.observe(this.deps.clock.now() - this.upstreamStartMs);
    this.stream.encodeComplete();
  }

  onUpstreamFailure(f: UpstreamFailure): void {
    if (this.upstreamDone) return;
    this.endUpstream();
    const { stream } = this;
    const stats = this.cluster!.stats;
    stream.setUpstreamFailureReason(f.transportFailureReason);
    if (f.flag === ResponseFlag.UpstreamConnectionTermination)
      stats.upstreamCxDestroyRemoteWithActiveRq.inc();
    if (!f.connectFailure && f.reason !== 'overflow') stats.upstreamRqRxReset.inc();
    const details = `upstream_reset_${stream.responseStarted ? 'after' : 'before'}_response_started{${f.reason.replaceAll(' ', '_')}}`;
    if (stream.responseStarted) {
      stream.resetStream(f.flag, details);
      return;
    }
    // Envoy answers upstream protocol errors with 502 (since 1.18), every other reset with 503.
    const status = f.reason === 'protocol error' ? 502 : 503;
    // Envoy charges the local reply's code to the cluster (chargeUpstreamAbort).
    stats.recordResponse(status);
    // A circuit breaker's overflow carries Envoy's x-envoy-overloaded: true.
    const extra = f.reason === 'overflow' ? OVERLOADED : undefined;
    stream.sendLocalReply(status, upstreamFailureBody(f), f.flag, details, extra);
  }

  // ─── HttpFilter ───────────────────────────────────────────────────────────────────────
  encodeHeaders(stream: RouterStream, _status: number, headers: HeaderMap): void {
    this.responseMutations?.applyResponse(headers, stream);
  }

  onDestroy(): void {
    if (this.upstream !== null && !this.upstreamDone) {
      // The downstream went away (or was reset) first: cancel the upstream so it is not reused.
      this.endUpstream();
      this.cluster!.stats.upstreamRqTxReset.inc();
      this.upstream.abort(new Error('downstream closed'));
    }
  }
}
