import t from 'tap';
import type { TracingProviderConfig } from '../../../lib/config/model.js';
import { Families } from '../../../lib/stats/families.js';
import { BatchExporter } from '../../../lib/tracing/exporter.js';
import { SpanKind, type SpanRecord } from '../../../lib/tracing/span-record.js';
import { TracingStats } from '../../../lib/tracing/tracing-stats.js';
import { startCollector } from '../../helpers/collector.js';
import { freePort } from '../../helpers/skiff-process.js';

function span(i: number): SpanRecord {
  return {
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    spanId: (i + 1).toString(16).padStart(16, '0'),
    parentSpanId: '',
    name: `s${i}`,
    kind: SpanKind.Server,
    startMs: 1000,
    endMs: 1001,
    tags: [],
    error: false,
    traceState: '',
  };
}

function provider(port: number, kind: 'opentelemetry' | 'zipkin' = 'opentelemetry'): TracingProviderConfig {
  return {
    kind,
    name: kind,
    url: `http://127.0.0.1:${port}/v1/traces`,
    cluster: null,
    timeoutMs: 1000,
    serviceName: 's',
    headers: [],
  };
}

const RESOURCE = { serviceName: 's', attributes: [] };

t.test('batches by size, bounded queue drops and counts', async (t) => {
  const collector = await startCollector();
  t.teardown(() => collector.close());
  const f = new Families();
  const stats = new TracingStats(f);
  const e = new BatchExporter(provider(collector.port), RESOURCE, stats, undefined, {
    maxQueueSize: 4,
    maxBatchSize: 2,
    flushIntervalMs: 60_000,
  });
  // 2 go out at once (a full batch); while that request is in flight the queue holds 4 more.
  for (let i = 0; i < 8; i++) e.push(span(i));
  t.equal(stats.droppedQueueFull.value, 2, 'two over the bound');
  await e.close();
  t.equal(stats.exported.value, 6);
  t.equal(stats.exportSuccess.value, 3, 'three batches of two');
  const names = collector.otlpSpans().map((s) => s.name);
  t.same(names, ['s0', 's1', 's2', 's3', 's4', 's5'], 'in order');
  e.push(span(9));
  t.equal(stats.droppedQueueFull.value, 3, 'closed exporters drop');
});

t.test('a refused or failing collector drops the batch, push never throws', async (t) => {
  const port = await freePort();
  const stats = new TracingStats(new Families());
  const e = new BatchExporter(provider(port), RESOURCE, stats, undefined, {
    maxQueueSize: 10,
    maxBatchSize: 10,
    flushIntervalMs: 60_000,
  });
  for (let i = 0; i < 3; i++) e.push(span(i));
  await e.close();
  t.equal(stats.droppedExportFailed.value, 3);
  t.equal(stats.exportFailure.value, 1);

  const c500 = await startCollector(500);
  t.teardown(() => c500.close());
  const stats2 = new TracingStats(new Families());
  const e2 = new BatchExporter(provider(c500.port, 'zipkin'), RESOURCE, stats2);
  e2.push(span(0));
  await e2.close();
  t.equal(stats2.droppedExportFailed.value, 1, 'a 5xx answer is a failure');
  t.ok(Array.isArray(c500.exports[0]?.body), 'zipkin sends a JSON list');
});
