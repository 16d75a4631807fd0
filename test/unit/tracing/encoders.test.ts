import t from 'tap';
import { PooledIdSource } from '../../../lib/tracing/ids.js';
import { encodeOtlpJson, nanos } from '../../../lib/tracing/otlp-json.js';
import { SpanKind, type SpanRecord } from '../../../lib/tracing/span-record.js';
import { encodeZipkinJson } from '../../../lib/tracing/zipkin-json.js';

const SPAN: SpanRecord = {
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  spanId: '00f067aa0ba902b7',
  parentSpanId: '0020000000000001',
  name: 'reviews:9080/*',
  kind: SpanKind.Server,
  startMs: 1_700_000_000_123.5,
  endMs: 1_700_000_000_125.25,
  tags: ['http.method', 'GET', 'error', 'true'],
  error: true,
  traceState: 'k=v',
};

t.test('OTLP/HTTP JSON ExportTraceServiceRequest', async (t) => {
  const root: SpanRecord = {
    ...SPAN,
    parentSpanId: '',
    traceState: '',
    error: false,
    kind: SpanKind.Client,
    tags: [],
  };
  const body = JSON.parse(encodeOtlpJson({ serviceName: 'svc', attributes: ['k', 'v'] }, [SPAN, root]));
  const rs = body.resourceSpans[0];
  t.same(rs.resource.attributes, [
    { key: 'service.name', value: { stringValue: 'svc' } },
    { key: 'k', value: { stringValue: 'v' } },
  ]);
  t.equal(rs.scopeSpans[0].scope.name, 'skiff');
  const [s, r] = rs.scopeSpans[0].spans;
  t.same(s, {
    traceId: SPAN.traceId,
    spanId: SPAN.spanId,
    parentSpanId: SPAN.parentSpanId,
    traceState: 'k=v',
    name: 'reviews:9080/*',
    kind: 2,
    startTimeUnixNano: '1700000000123500000',
    endTimeUnixNano: '1700000000125250000',
    attributes: [
      { key: 'http.method', value: { stringValue: 'GET' } },
      { key: 'error', value: { stringValue: 'true' } },
    ],
    status: { code: 2 },
  });
  t.equal(r.parentSpanId, undefined, 'root spans have no parentSpanId');
  t.equal(r.kind, 3);
  t.same(r.status, {});
});

t.test('nanosecond strings', async (t) => {
  t.equal(nanos(0), '0');
  t.equal(nanos(1), '1000000');
  t.equal(nanos(1_700_000_000_000.5), '1700000000000500000');
  t.equal(nanos(12.9999999), '12999999', 'rounding never carries into the millisecond');
});

t.test('Zipkin JSON v2', async (t) => {
  const [z] = JSON.parse(encodeZipkinJson({ serviceName: 'front', attributes: [] }, [SPAN]));
  t.same(z, {
    traceId: SPAN.traceId,
    id: SPAN.spanId,
    parentId: SPAN.parentSpanId,
    name: 'reviews:9080/*',
    kind: 'SERVER',
    timestamp: 1_700_000_000_123_500,
    duration: 1750,
    localEndpoint: { serviceName: 'front' },
    tags: { 'http.method': 'GET', error: 'true' },
  });
});

t.test('pooled ids: hex, sized, never zero, refilled', async (t) => {
  let fills = 0;
  const ids = new PooledIdSource((b) => {
    fills++;
    // First fill all zeros (must be skipped), then a counting pattern.
    for (let i = 0; i < b.length; i++) b[i] = fills === 1 && i < 64 ? 0 : (i * 7 + fills) & 0xff;
  });
  const seen = new Set<string>();
  const bad: string[] = [];
  for (let i = 0; i < 1000; i++) {
    const s = ids.spanId();
    const tr = ids.traceId();
    if (!/^[0-9a-f]{16}$/.test(s) || /^0+$/.test(s)) bad.push(s);
    if (!/^[0-9a-f]{32}$/.test(tr) || /^0+$/.test(tr)) bad.push(tr);
    seen.add(tr);
  }
  t.same(bad, [], 'every id is lower-case hex of its size and not all zeros');
  t.ok(fills > 1, 'the pool was refilled');
  t.ok(seen.size > 1);
});
