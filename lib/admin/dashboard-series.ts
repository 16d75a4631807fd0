import type { ExpositionSample } from './exposition-reader.js';

/** Counters of one dashboard row (a cluster or an Istio destination) at one instant. */
export interface SeriesCounts {
  requests: number;
  /** Responses counted for the error rate (the denominator). */
  completed: number;
  /** 5xx responses. */
  errors: number;
  /** Histogram upper bounds (ms, ascending, +Inf last) and cumulative counts; empty = none. */
  bounds: number[];
  cumulative: number[];
}

/** Every row's counters at `atMs` (monotonic ms), keyed `c:<cluster>` or `d:<reporter>|<service>`. */
export interface Snapshot {
  readonly atMs: number;
  readonly rows: ReadonlyMap<string, SeriesCounts>;
}

/** The cluster a sample belongs to: Envoy's tag name, or Istio's in sidecar mode. */
export function clusterOf(s: ExpositionSample): string | undefined {
  return s.labels.envoy_cluster_name ?? s.labels.cluster_name;
}

/** True for `5` (Envoy's class tag) and `5xx` (Istio's). */
function isFiveClass(v: string | undefined): boolean {
  return v === '5' || v === '5xx';
}

/** The metric names the dashboard reads (everything else is skipped unparsed). */
export const CLUSTER_COUNTERS = {
  requests: 'envoy_cluster_upstream_rq_total',
  completed: 'envoy_cluster_upstream_rq_completed',
  byClass: 'envoy_cluster_upstream_rq_xx',
  timeBucket: 'envoy_cluster_upstream_rq_time_bucket',
} as const;
export const ISTIO_REQUESTS = 'istio_requests_total';
export const ISTIO_DURATION_BUCKET = 'istio_request_duration_milliseconds_bucket';

function row(rows: Map<string, SeriesCounts>, key: string): SeriesCounts {
  let r = rows.get(key);
  if (r === undefined) {
    r = { requests: 0, completed: 0, errors: 0, bounds: [], cumulative: [] };
    rows.set(key, r);
  }
  return r;
}

/** Adds one `_bucket` sample (bounds arrive in order per series; several series may merge). */
function addBucket(r: SeriesCounts, s: ExpositionSample): void {
  const le = s.labels.le;
  if (le === undefined) return;
  const bound = le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le);
  const i = r.bounds.indexOf(bound);
  if (i >= 0) r.cumulative[i]! += s.value;
  else {
    let at = 0;
    while (at < r.bounds.length && r.bounds[at]! < bound) at++;
    r.bounds.splice(at, 0, bound);
    r.cumulative.splice(at, 0, s.value);
  }
}

/** The Istio row key: reporter and destination service (the per-destination view). */
function destinationKey(s: ExpositionSample): string {
  const svc = s.labels.destination_service ?? s.labels.destination_service_name ?? 'unknown';
  return `d:${s.labels.reporter ?? 'unknown'}|${svc}`;
}

/** Builds one snapshot from the parsed exposition. */
export function takeSnapshot(
  samples: ReadonlyMap<string, readonly ExpositionSample[]>,
  atMs: number,
): Snapshot {
  const rows = new Map<string, SeriesCounts>();
  const each = (name: string, fn: (s: ExpositionSample) => void): void => {
    for (const s of samples.get(name) ?? []) fn(s);
  };
  const forCluster = (s: ExpositionSample): SeriesCounts | null => {
    const c = clusterOf(s);
    return c === undefined ? null : row(rows, `c:${c}`);
  };
  each(CLUSTER_COUNTERS.requests, (s) => {
    const r = forCluster(s);
    if (r !== null) r.requests += s.value;
  });
  each(CLUSTER_COUNTERS.completed, (s) => {
    const r = forCluster(s);
    if (r !== null) r.completed += s.value;
  });
  each(CLUSTER_COUNTERS.byClass, (s) => {
    const r = forCluster(s);
    if (r !== null && isFiveClass(s.labels.envoy_response_code_class ?? s.labels.response_code_class))
      r.errors += s.value;
  });
  each(CLUSTER_COUNTERS.timeBucket, (s) => {
    const r = forCluster(s);
    if (r !== null) addBucket(r, s);
  });
  each(ISTIO_REQUESTS, (s) => {
    const r = row(rows, destinationKey(s));
    r.requests += s.value;
    r.completed += s.value;
    if ((s.labels.response_code ?? '').startsWith('5')) r.errors += s.value;
  });
  each(ISTIO_DURATION_BUCKET, (s) => addBucket(row(rows, destinationKey(s)), s));
  return { atMs, rows };
}

/** `now - base` per field; counters that went down (cluster re-created) restart from zero. */
export function deltaOf(now: SeriesCounts, base: SeriesCounts | undefined): SeriesCounts {
  if (base === undefined || now.requests < base.requests) return now;
  const cumulative = now.cumulative.map((v, i) => {
    const j = base.bounds.indexOf(now.bounds[i]!);
    return j < 0 ? v : Math.max(0, v - base.cumulative[j]!);
  });
  return {
    requests: now.requests - base.requests,
    completed: Math.max(0, now.completed - base.completed),
    errors: Math.max(0, now.errors - base.errors),
    bounds: now.bounds,
    cumulative,
  };
}
