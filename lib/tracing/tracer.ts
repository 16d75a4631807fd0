import { formatResponseFlags } from '../accesslog/response-flags.js';
import type { HttpTracingConfig } from '../config/model.js';
import type { HeaderMap } from '../http/header-map.js';
import type { Clock } from '../util/clock.js';
import type { Random } from '../util/random.js';
import type { SpanSink } from './exporter.js';
import { type IdSource, widenTraceId } from './ids.js';
import { extractContext, injectContext } from './propagation.js';
import { decideReason, markRequestId } from './sampling.js';
import { SpanKind, type SpanRecord } from './span-record.js';
import { type AttemptSpan, type DecoratedRoute, StreamTrace } from './stream-trace.js';

/** The request facts a trace reads (ActiveStream has them all). */
export interface TracedStream {
  readonly requestHeaders: HeaderMap;
  readonly method: string;
  readonly path: string;
  readonly authority: string;
  readonly scheme: string;
  readonly protocol: string;
  requestId: string | null;
  readonly startTimeMs: number;
  readonly startMonoMs: number;
  readonly durationMs: number | null;
  readonly responseCode: number;
  readonly responseFlags: number;
  readonly upstreamCluster: string | null;
  readonly upstreamHost: string | null;
  readonly bytesReceived: number;
  readonly bytesSent: number;
  readonly responseHeaders: HeaderMap | null;
  route(): DecoratedRoute | null;
}

export interface TracerDeps {
  readonly ids: IdSource;
  readonly random: Random;
  readonly clock: Clock;
  /** Null = no provider: contexts are propagated, nothing is exported. */
  readonly sink: SpanSink | null;
  /** An outbound (egress) listener: its span is a CLIENT span, as in Envoy. */
  readonly egress: boolean;
  /** Tags on every span (`component`, `node_id`, Istio's `istio.*`), flat. */
  readonly tags: readonly string[];
}

/**
 * Tracing for one HCM: extracts and decides at request start, injects the context upstream,
 * and at stream end turns a sampled request into spans for the sink.
 */
export class Tracer {
  readonly ids: IdSource;
  readonly clock: Clock;
  readonly egress: boolean;

  constructor(
    readonly config: HttpTracingConfig,
    private readonly deps: TracerDeps,
  ) {
    this.ids = deps.ids;
    this.clock = deps.clock;
    this.egress = deps.egress;
  }

  /** After the request headers are prepared (x-request-id set): context, decision, injection. */
  start(s: TracedStream): StreamTrace {
    const t = new StreamTrace(this);
    const h = s.requestHeaders;
    extractContext(h, t);
    const rid = s.requestId;
    const reason = decideReason(this.config, h, rid, this.deps.random);
    t.reason = reason;
    if (rid !== null) {
      const marked = markRequestId(rid, reason);
      if (marked !== null) {
        s.requestId = marked;
        h.set('x-request-id', marked);
      }
    }
    // The caller's decision wins over ours, as Envoy's Zipkin and OpenTelemetry tracers do.
    t.sampled = t.incomingSampled === -1 ? reason !== 0 : t.incomingSampled === 1;
    if (t.traceId === '') {
      t.traceId = this.ids.traceId();
      t.parentSpanId = '';
    }
    t.spanId = this.ids.spanId();
    injectContext(h, t.traceId, t.spanId, t.parentSpanId, t.sampled, t);
    return t;
  }

  /** At stream end: the spans of a sampled request go to the sink; nothing otherwise. */
  finish(s: TracedStream, t: StreamTrace): void {
    const sink = this.deps.sink;
    if (!t.sampled || sink === null) return;
    t.endAttempt();
    const traceId = widenTraceId(t.traceId);
    const route = s.route();
    const h = s.requestHeaders;
    const op = route?.decoratorOperation ?? null;
    const name = this.egress
      ? (op ?? `egress ${s.authority}`)
      : (h.get('x-envoy-decorator-operation') ?? op ?? 'ingress');
    const code = s.responseCode;
    const grpc = s.responseHeaders?.get('grpc-status');
    const error = code === 0 || code >= 500 || (grpc !== undefined && grpc !== '0');
    const url = this.url(s);
    const rid = s.requestId ?? '-';
    const tags = this.requestTags(s, url, rid);
    tags.push(
      'downstream_cluster',
      h.get('x-envoy-downstream-service-cluster') ?? '-',
      'user_agent',
      h.get('user-agent') ?? '-',
      'request_size',
      String(s.bytesReceived),
      'response_size',
      String(s.bytesSent),
      'http.status_code',
      String(code),
      'response_flags',
      formatResponseFlags(s.responseFlags),
      'upstream_cluster',
      s.upstreamCluster ?? '-',
      'upstream_cluster.name',
      s.upstreamCluster ?? '-',
      'upstream_address',
      s.upstreamHost ?? '-',
    );
    if (error) tags.push('error', 'true');
    const start = s.startTimeMs;
    const end = start + (s.durationMs ?? this.clock.now() - s.startMonoMs);
    sink.push({
      traceId,
      spanId: t.spanId,
      parentSpanId: t.parentSpanId,
      name,
      kind: this.egress ? SpanKind.Client : SpanKind.Server,
      startMs: start,
      endMs: end,
      tags,
      error,
      traceState: t.traceState,
    });
    const attempts = t.attempts;
    if (attempts === null) return;
    for (const a of attempts) sink.push(this.attemptSpan(s, t, a, traceId, url, rid));
  }

  /** Tags every span of a request carries: the static ones, then Envoy's per-request ones. */
  private requestTags(s: TracedStream, url: string, rid: string): string[] {
    return [
      ...this.deps.tags,
      'guid:x-request-id',
      rid,
      'http.url',
      url,
      'http.method',
      s.method,
      'http.protocol',
      s.protocol,
    ];
  }

  private attemptSpan(
    s: TracedStream,
    t: StreamTrace,
    a: AttemptSpan,
    traceId: string,
    url: string,
    rid: string,
  ): SpanRecord {
    const error = a.status === 0 || a.status >= 500;
    const tags = this.requestTags(s, url, rid);
    tags.push(
      'upstream_cluster',
      a.cluster,
      'upstream_cluster.name',
      a.cluster,
      'upstream_address',
      a.address,
      'http.status_code',
      String(a.status),
      'response_flags',
      formatResponseFlags(a.flags),
    );
    if (error) tags.push('error', 'true');
    const base = s.startTimeMs - s.startMonoMs;
    return {
      traceId,
      spanId: a.spanId,
      parentSpanId: t.spanId,
      name: `router ${a.cluster} egress`,
      kind: SpanKind.Client,
      startMs: base + a.startMono,
      endMs: base + (a.endMono < 0 ? this.clock.now() : a.endMono),
      tags,
      error,
      traceState: t.traceState,
    };
  }

  /** `http.url` as Envoy builds it, cut to `max_path_tag_length`. */
  private url(s: TracedStream): string {
    const path = s.requestHeaders.get('x-envoy-original-path') ?? s.path;
    const url = `${s.scheme}://${s.authority}${path}`;
    const max = this.config.maxPathTagLength;
    return url.length > max ? url.slice(0, max) : url;
  }
}
