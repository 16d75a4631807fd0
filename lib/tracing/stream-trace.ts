import type { HeaderMap } from '../http/header-map.js';
import { injectContext, type TraceContext } from './propagation.js';
import type { Tracer } from './tracer.js';

/** One upstream attempt's client span (sampled requests only). */
export class AttemptSpan {
  status = 0;
  flags = 0;
  endMono = -1;

  constructor(
    readonly spanId: string,
    readonly startMono: number,
    readonly cluster: string,
    readonly address: string,
  ) {}
}

/** Route facts the trace needs (CompiledRoute has them). */
export interface DecoratedRoute {
  readonly decoratorOperation: string | null;
}

/**
 * The trace state of one request: the caller's context as extracted, Skiff's span, the decision,
 * and (only when sampled) a client span per upstream attempt. One object per request; an
 * unsampled request allocates nothing else here.
 */
export class StreamTrace implements TraceContext {
  traceId = '';
  parentSpanId = '';
  incomingSampled = -1;
  traceState = '';
  b3Single = false;
  /** Skiff's span for this request (the server span, or the egress span on an outbound listener). */
  spanId = '';
  sampled = false;
  /** TraceReason from the decision (what x-request-id carries). */
  reason = 0;
  attempts: AttemptSpan[] | null = null;
  private current: AttemptSpan | null = null;
  private decorated = false;

  constructor(readonly tracer: Tracer) {}

  /**
   * Before each upstream attempt: an egress listener propagates the route's decorator (Envoy's
   * `decorator.propagate`, default true); a sampled request gets a child span whose id the
   * upstream sees as its parent.
   */
  startAttempt(h: HeaderMap, cluster: string, address: string, route: DecoratedRoute | null): void {
    const tracer = this.tracer;
    if (!this.decorated) {
      this.decorated = true;
      const op = route?.decoratorOperation ?? null;
      if (tracer.egress && op !== null) h.set('x-envoy-decorator-operation', op);
    }
    if (!this.sampled) return;
    this.endAttempt();
    const a = new AttemptSpan(tracer.ids.spanId(), tracer.clock.now(), cluster, address);
    if (this.attempts === null) this.attempts = [a];
    else this.attempts.push(a);
    this.current = a;
    injectContext(h, this.traceId, a.spanId, this.spanId, true, this);
  }

  /** The attempt's response status (also for responses a retry discards). */
  attemptStatus(code: number): void {
    if (this.current !== null) this.current.status = code;
  }

  /** The attempt failed without a response (reset, connect failure, timeout): its flag. */
  attemptFailed(flag: number): void {
    if (this.current !== null) this.current.flags |= flag;
  }

  endAttempt(): void {
    const a = this.current;
    if (a === null) return;
    a.endMono = this.tracer.clock.now();
    this.current = null;
  }
}
