import type { Counter } from '../stats/cells.js';
import type { Families } from '../stats/families.js';
import type { StatDef } from '../stats/stat-def.js';

export const TRACING = {
  exported: {
    name: 'skiff_tracing_spans_exported_total',
    type: 'counter',
    help: 'Spans a collector accepted (2xx answer to the export request)',
    labels: [],
  },
  dropped: {
    name: 'skiff_tracing_spans_dropped_total',
    type: 'counter',
    help: 'Sampled spans never delivered: queue_full (export queue at its bound) or export_failed (collector refused, unreachable or too slow)',
    labels: ['reason'],
  },
  requests: {
    name: 'skiff_tracing_export_requests_total',
    type: 'counter',
    help: 'Export requests to the collector by result: success or failure',
    labels: ['result'],
  },
} as const satisfies Record<string, StatDef>;

export const TRACING_STATS: readonly StatDef[] = Object.values(TRACING);

/** Span export outcomes (one set per Skiff instance, shared by its exporters). */
export class TracingStats {
  readonly exported: Counter;
  readonly droppedQueueFull: Counter;
  readonly droppedExportFailed: Counter;
  readonly exportSuccess: Counter;
  readonly exportFailure: Counter;

  constructor(f: Families) {
    f.declare(TRACING_STATS);
    this.exported = f.counter(TRACING.exported, []);
    this.droppedQueueFull = f.counter(TRACING.dropped, ['queue_full']);
    this.droppedExportFailed = f.counter(TRACING.dropped, ['export_failed']);
    this.exportSuccess = f.counter(TRACING.requests, ['success']);
    this.exportFailure = f.counter(TRACING.requests, ['failure']);
  }
}
