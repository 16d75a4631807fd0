import { SpanKind, type SpanRecord, type SpanResource } from './span-record.js';

/** Zipkin API v2 JSON (`POST /api/v2/spans`): a list of spans, times in epoch microseconds. */
export function encodeZipkinJson(resource: SpanResource, spans: readonly SpanRecord[]): string {
  const local = { serviceName: resource.serviceName };
  return JSON.stringify(
    spans.map((s) => {
      const tags: Record<string, string> = {};
      for (let i = 0; i + 1 < s.tags.length; i += 2) tags[s.tags[i]!] = s.tags[i + 1]!;
      const start = Math.floor(s.startMs * 1000);
      return {
        traceId: s.traceId,
        id: s.spanId,
        ...(s.parentSpanId === '' ? {} : { parentId: s.parentSpanId }),
        name: s.name,
        kind: s.kind === SpanKind.Server ? 'SERVER' : 'CLIENT',
        timestamp: start,
        duration: Math.max(1, Math.floor(s.endMs * 1000) - start),
        localEndpoint: local,
        tags,
      };
    }),
  );
}
