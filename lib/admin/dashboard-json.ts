import { formatResponseFlags } from '../accesslog/response-flags.js';
import { HealthFlag } from '../cluster/types.js';
import type { LocalReplyEntry } from '../http/local-reply-ring.js';
import { cumulativeQuantile } from '../stats/stat-list.js';
import { healthFlagsText } from './clusters-view.js';
import {
  CLUSTER_COUNTERS,
  clusterOf,
  deltaOf,
  ISTIO_DURATION_BUCKET,
  ISTIO_REQUESTS,
  type SeriesCounts,
  type Snapshot,
} from './dashboard-series.js';
import type { ExpositionSample } from './exposition-reader.js';

/** One upstream host as the dashboard needs it (copied from `Host` by the endpoint). */
export interface DashboardHostView {
  readonly address: string;
  /** HealthFlag bitmask. */
  readonly flags: number;
  readonly weight: number;
  readonly activeRequests: number;
  readonly requests: number;
  readonly errors: number;
}

/** One cluster and its hosts. */
export interface DashboardClusterView {
  readonly name: string;
  readonly hosts: readonly DashboardHostView[];
}

/** Everything `buildDashboard` reads; pure data, so it is unit-testable without a proxy. */
export interface DashboardInput {
  readonly nowWallMs: number;
  readonly server: { readonly version: string; readonly state: string; readonly uptimeSeconds: number };
  readonly clusters: readonly DashboardClusterView[];
  readonly samples: ReadonlyMap<string, readonly ExpositionSample[]>;
  readonly now: Snapshot;
  /** The earlier snapshot rates compare with; null on the first poll (no rates yet). */
  readonly base: Snapshot | null;
  readonly localReplies: readonly LocalReplyEntry[];
}

/** Gauges shown per cluster, by JSON field. */
const GAUGES = {
  activeRequests: 'envoy_cluster_upstream_rq_active',
  pendingRequests: 'envoy_cluster_upstream_rq_pending_active',
  activeConnections: 'envoy_cluster_upstream_cx_active',
  healthyHosts: 'envoy_cluster_membership_healthy',
  totalHosts: 'envoy_cluster_membership_total',
  ejectionsActive: 'envoy_cluster_outlier_detection_ejections_active',
  pendingOverflow: 'envoy_cluster_upstream_rq_pending_overflow',
} as const;

/** Circuit breakers at DEFAULT priority: 1 = open (limit reached). */
const BREAKERS = {
  connections: 'envoy_cluster_circuit_breakers_default_cx_open',
  pending: 'envoy_cluster_circuit_breakers_default_rq_pending_open',
  requests: 'envoy_cluster_circuit_breakers_default_rq_open',
  retries: 'envoy_cluster_circuit_breakers_default_rq_retry_open',
} as const;

/** Every metric name the dashboard reads, for the exposition reader's prefilter. */
export const DASHBOARD_METRICS: ReadonlySet<string> = new Set([
  ...Object.values(CLUSTER_COUNTERS),
  ...Object.values(GAUGES),
  ...Object.values(BREAKERS),
  ISTIO_REQUESTS,
  ISTIO_DURATION_BUCKET,
]);

const round = (v: number | null, digits: number): number | null =>
  v === null || !Number.isFinite(v) ? null : Number(v.toFixed(digits));

/** Rate, error ratio and P50/P99 of one row over the window (lifetime on the first poll). */
function windowed(key: string, input: DashboardInput): Record<string, number | null> {
  const now = input.now.rows.get(key);
  const empty = { requestsPerSecond: null, errorRate: null, p50Ms: null, p99Ms: null };
  if (now === undefined) return empty;
  const base = input.base;
  const d: SeriesCounts = base === null ? now : deltaOf(now, base.rows.get(key));
  const seconds = base === null ? 0 : (input.now.atMs - base.atMs) / 1000;
  return {
    requestsPerSecond: seconds > 0 ? round(d.requests / seconds, 2) : null,
    errorRate: d.completed > 0 ? round(d.errors / d.completed, 4) : null,
    p50Ms: round(cumulativeQuantile(0.5, d.bounds, d.cumulative), 2),
    p99Ms: round(cumulativeQuantile(0.99, d.bounds, d.cumulative), 2),
  };
}

/** value of `metric` for `cluster`, 0 when absent. */
function gaugeTable(input: DashboardInput): (metric: string, cluster: string) => number {
  const table = new Map<string, number>();
  for (const name of [...Object.values(GAUGES), ...Object.values(BREAKERS)]) {
    for (const s of input.samples.get(name) ?? []) {
      const c = clusterOf(s);
      if (c !== undefined) table.set(`${name}\u0000${c}`, s.value);
    }
  }
  return (metric, cluster) => table.get(`${metric}\u0000${cluster}`) ?? 0;
}

function clusterJson(cl: DashboardClusterView, input: DashboardInput, g: (m: string, c: string) => number) {
  const gauges: Record<string, number> = {};
  for (const [field, metric] of Object.entries(GAUGES)) gauges[field] = g(metric, cl.name);
  const breakers: Record<string, boolean> = {};
  for (const [field, metric] of Object.entries(BREAKERS)) breakers[field] = g(metric, cl.name) > 0;
  return {
    name: cl.name,
    ...windowed(`c:${cl.name}`, input),
    ...gauges,
    breakers,
    hosts: cl.hosts.map((h) => ({
      address: h.address,
      health: healthFlagsText(h.flags),
      ejected: (h.flags & HealthFlag.FailedOutlierCheck) !== 0,
      weight: h.weight,
      activeRequests: h.activeRequests,
      requests: h.requests,
      errors: h.errors,
    })),
  };
}

function destinationsJson(input: DashboardInput) {
  const out = [];
  for (const key of input.now.rows.keys()) {
    if (!key.startsWith('d:')) continue;
    const bar = key.indexOf('|');
    out.push({
      reporter: key.slice(2, bar),
      service: key.slice(bar + 1),
      requests: input.now.rows.get(key)!.requests,
      ...windowed(key, input),
    });
  }
  return out.sort((a, b) => (a.service < b.service ? -1 : a.service > b.service ? 1 : 0));
}

/** The `/dashboard.json` document (see docs/admin.md for the fields). */
export function buildDashboard(input: DashboardInput): Record<string, unknown> {
  const g = gaugeTable(input);
  return {
    generatedAt: new Date(input.nowWallMs).toISOString(),
    version: input.server.version,
    state: input.server.state,
    uptimeSeconds: input.server.uptimeSeconds,
    windowSeconds: input.base === null ? null : round((input.now.atMs - input.base.atMs) / 1000, 1),
    clusters: input.clusters.map((cl) => clusterJson(cl, input, g)),
    destinations: destinationsJson(input),
    localReplies: input.localReplies.map((r) => ({
      time: new Date(r.timeMs).toISOString(),
      status: r.status,
      flags: formatResponseFlags(r.flags),
      details: r.details,
      method: r.method,
      authority: r.authority,
      path: r.path,
      cluster: r.cluster,
    })),
  };
}
