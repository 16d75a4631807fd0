import { Agent, request as httpRequest, type IncomingMessage } from 'node:http';
import type { TracingProviderConfig } from '../config/model.js';
import { encodeOtlpJson } from './otlp-json.js';
import type { SpanRecord, SpanResource } from './span-record.js';
import type { TracingStats } from './tracing-stats.js';
import { encodeZipkinJson } from './zipkin-json.js';

/** Where one export request goes (the cluster's host when the provider names one). */
export interface CollectorAddress {
  readonly host: string;
  readonly port: number;
}

/** Tuning of the batch exporter (OpenTelemetry's BatchSpanProcessor defaults). */
export interface ExporterLimits {
  /** Spans held at most; more are dropped and counted. Default 2048. */
  readonly maxQueueSize: number;
  /** Spans per export request. Default 512. */
  readonly maxBatchSize: number;
  /** Queued spans are sent at least this often. Default 5000 ms. */
  readonly flushIntervalMs: number;
}

export const DEFAULT_EXPORTER_LIMITS: ExporterLimits = {
  maxQueueSize: 2048,
  maxBatchSize: 512,
  flushIntervalMs: 5000,
};

/** Where sampled spans are handed over; never blocks nor throws. */
export interface SpanSink {
  push(span: SpanRecord): void;
}

/**
 * Batches spans and POSTs them to a collector: one request in flight at a time, a bounded queue,
 * one timer per exporter. A collector that refuses, fails or does not answer within the
 * provider's timeout costs the batch (counted as dropped), never a request: `push` only appends.
 */
export class BatchExporter implements SpanSink {
  private queue: SpanRecord[] = [];
  private inFlight = false;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 1 });
  private readonly url: URL;
  private readonly encode: (resource: SpanResource, spans: readonly SpanRecord[]) => string;
  private idle: (() => void) | null = null;

  constructor(
    private readonly provider: TracingProviderConfig,
    private readonly resource: SpanResource,
    private readonly stats: TracingStats,
    /** The cluster's host for this export, null = the URL's own host. */
    private readonly resolve: () => CollectorAddress | null = () => null,
    private readonly limits: ExporterLimits = DEFAULT_EXPORTER_LIMITS,
  ) {
    this.url = new URL(provider.url);
    this.encode = provider.kind === 'zipkin' ? encodeZipkinJson : encodeOtlpJson;
  }

  push(span: SpanRecord): void {
    if (this.closed || this.queue.length >= this.limits.maxQueueSize) {
      this.stats.droppedQueueFull.inc();
      return;
    }
    this.queue.push(span);
    if (this.queue.length >= this.limits.maxBatchSize) this.flush();
    else if (this.timer === null) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.flush();
      }, this.limits.flushIntervalMs);
      this.timer.unref();
    }
  }

  /** Sends one batch unless one is already on its way (the rest waits for it). */
  flush(): void {
    if (this.inFlight || this.queue.length === 0) return;
    const max = this.limits.maxBatchSize;
    const batch = this.queue.length <= max ? this.queue : this.queue.slice(0, max);
    this.queue = this.queue.length <= max ? [] : this.queue.slice(max);
    this.send(batch);
  }

  private send(batch: SpanRecord[]): void {
    this.inFlight = true;
    let body: Buffer;
    try {
      body = Buffer.from(this.encode(this.resource, batch));
    } catch {
      this.done(batch.length, false);
      return;
    }
    const target = this.resolve();
    const u = this.url;
    let settled = false;
    const finish = (ok: boolean): void => {
      if (settled) return;
      settled = true;
      this.done(batch.length, ok);
    };
    const headers: Record<string, string> = {
      host: u.host,
      'content-type': 'application/json',
      'content-length': String(body.length),
    };
    for (const [k, v] of this.provider.headers) headers[k] = v;
    const timeoutMs = this.provider.timeoutMs > 0 ? this.provider.timeoutMs : 5000;
    const req = httpRequest({
      host: target?.host ?? u.hostname,
      port: target?.port ?? (u.port === '' ? 80 : Number(u.port)),
      path: `${u.pathname}${u.search}`,
      method: 'POST',
      headers,
      agent: this.agent,
      timeout: timeoutMs,
    });
    req.on('response', (res: IncomingMessage) => {
      res.resume();
      const ok = res.statusCode !== undefined && res.statusCode >= 200 && res.statusCode < 300;
      res.on('end', () => finish(ok));
      res.on('error', () => finish(false));
    });
    // The socket timeout covers connecting too, so a black-holed collector is given up on.
    req.on('timeout', () => req.destroy(new Error('export timeout')));
    req.on('error', () => finish(false));
    req.on('close', () => finish(false));
    req.end(body);
  }

  private done(count: number, ok: boolean): void {
    this.inFlight = false;
    if (ok) {
      this.stats.exportSuccess.inc();
      this.stats.exported.inc(count);
    } else {
      this.stats.exportFailure.inc();
      this.stats.droppedExportFailed.inc(count);
    }
    if (this.queue.length >= this.limits.maxBatchSize || (this.closed && this.queue.length > 0)) this.flush();
    else if (this.queue.length > 0 && this.timer === null && !this.closed) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.flush();
      }, this.limits.flushIntervalMs);
      this.timer.unref();
    }
    if (!this.inFlight && this.idle !== null) {
      const cb = this.idle;
      this.idle = null;
      cb();
    }
  }

  /** Sends what is queued (bounded by `waitMs`), then stops; later spans are dropped. */
  async close(waitMs = 2000): Promise<void> {
    this.closed = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.flush();
    if (this.inFlight) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, waitMs);
        t.unref();
        this.idle = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
    const left = this.queue.length;
    if (left > 0) this.stats.droppedExportFailed.inc(left);
    this.queue = [];
    this.agent.destroy();
  }
}
