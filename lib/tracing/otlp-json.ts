import { VERSION } from '../version.js';
import type { SpanRecord, SpanResource } from './span-record.js';

/**
 * OTLP/HTTP JSON (`ExportTraceServiceRequest`, protobuf JSON mapping): ids as lower-case hex, as
 * the OTLP spec requires instead of base64; 64-bit times as decimal strings; enums as numbers.
 */
export function encodeOtlpJson(resource: SpanResource, spans: readonly SpanRecord[]): string {
  const attrs = attributes([SERVICE_NAME, resource.serviceName, ...resource.attributes]);
  const out = spans.map(encodeSpan);
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: attrs },
        scopeSpans: [{ scope: { name: 'skiff', version: VERSION }, spans: out }],
      },
    ],
  });
}

const SERVICE_NAME = 'service.name';
/** OTLP Status codes. */
const STATUS_ERROR = 2;

function encodeSpan(s: SpanRecord): Record<string, unknown> {
  return {
    traceId: s.traceId,
    spanId: s.spanId,
    ...(s.parentSpanId === '' ? {} : { parentSpanId: s.parentSpanId }),
    ...(s.traceState === '' ? {} : { traceState: s.traceState }),
    name: s.name,
    kind: s.kind,
    startTimeUnixNano: nanos(s.startMs),
    endTimeUnixNano: nanos(s.endMs),
    attributes: attributes(s.tags),
    status: s.error ? { code: STATUS_ERROR } : {},
  };
}

function attributes(flat: readonly string[]): { key: string; value: { stringValue: string } }[] {
  const out: { key: string; value: { stringValue: string } }[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2)
    out.push({ key: flat[i]!, value: { stringValue: flat[i + 1]! } });
  return out;
}

/** Epoch ms (fractional) → ns as a decimal string, without float overflow past 2^53. */
export function nanos(ms: number): string {
  const whole = Math.floor(ms);
  const frac = Math.round((ms - whole) * 1e6);
  if (whole === 0) return String(Math.min(frac, 999_999));
  return `${whole}${String(Math.min(frac, 999_999)).padStart(6, '0')}`;
}
