import type { AccessLogRecord } from '../accesslog/record.js';
import type { HttpConnectionManagerConfig } from '../config/model.js';
import type { HttpFilterFactory } from '../filters/filter.js';
import type { RouteTable } from '../router/route-table.js';
import type { IstioReporter } from '../stats/istio/istio-reporter.js';
import type { HttpConnectionManagerStats } from '../stats/types.js';
import type { Tracer } from '../tracing/tracer.js';
import type { Clock } from '../util/clock.js';
import type { LocalReplyRing } from './local-reply-ring.js';

/**
 * Everything one HTTP connection manager needs per request, compiled once per config snapshot.
 * A reload swaps the whole object; streams in flight keep the one they started with.
 */
export interface HcmRuntime {
  readonly config: HttpConnectionManagerConfig;
  readonly stats: HttpConnectionManagerStats;
  readonly filterFactories: readonly HttpFilterFactory[];
  /** Null when no access log is configured, so the hot path skips it. */
  readonly accessLog: ((r: AccessLogRecord) => void) | null;
  readonly clock: Clock;
  /** The route table streams match against (once per stream, shared by filters and router). */
  readonly routeTable: RouteTable;
  /** Istio's standard metrics and metadata exchange (sidecar listeners only); absent = off. */
  readonly istio?: IstioReporter | null;
  /** The instance's recent local replies (admin dashboard); absent = not recorded. */
  readonly localReplies?: LocalReplyRing | null;
  /** Tracing (HCM `tracing`, or the sidecar's default); absent = no spans, no propagation. */
  readonly tracer?: Tracer | null;
}
