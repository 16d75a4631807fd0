/** OTLP span kinds Skiff emits (SpanKind enum values). */
export const SpanKind = { Server: 2, Client: 3 } as const;
export type SpanKind = (typeof SpanKind)[keyof typeof SpanKind];

/** One finished, sampled span as the exporters encode it: a plain object, built only when sampled. */
export interface SpanRecord {
  /** 32 hex digits (B3 64-bit ids are widened). */
  readonly traceId: string;
  readonly spanId: string;
  /** '' = root span. */
  readonly parentSpanId: string;
  readonly name: string;
  readonly kind: SpanKind;
  /** Wall-clock epoch milliseconds (fractional). */
  readonly startMs: number;
  readonly endMs: number;
  /** Flat `[key, value, …]` string tags, Envoy's names. */
  readonly tags: readonly string[];
  readonly error: boolean;
  /** W3C tracestate ('' = none). */
  readonly traceState: string;
}

/** Who emits the spans: the OTLP resource / Zipkin local endpoint. */
export interface SpanResource {
  readonly serviceName: string;
  /** Extra resource attributes, flat `[key, value, …]`. */
  readonly attributes: readonly string[];
}
