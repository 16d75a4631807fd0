import type {
  HttpConnectionManagerConfig,
  HttpTracingConfig,
  TracingProviderConfig,
} from '../config/model.js';
import type { ProxyWorkload } from '../stats/istio/workload-facts.js';
import type { Clock } from '../util/clock.js';
import type { Random } from '../util/random.js';
import {
  BatchExporter,
  type CollectorAddress,
  DEFAULT_EXPORTER_LIMITS,
  type ExporterLimits,
} from './exporter.js';
import { type IdSource, PooledIdSource } from './ids.js';
import type { SpanResource } from './span-record.js';
import { Tracer } from './tracer.js';
import type { TracingStats } from './tracing-stats.js';

/** Istio's default `ProxyConfig.tracing.sampling` (percent). */
export const ISTIO_DEFAULT_SAMPLING_PCT = 1;

/** What the hub needs from its Skiff. */
export interface TracingHubOptions {
  readonly clock: Clock;
  readonly random: Random;
  /** Created on the first exporter, so configs without a provider declare no `skiff_tracing_*`. */
  readonly stats: () => TracingStats;
  readonly node: { readonly id: string; readonly cluster: string };
  /** The sidecar's workload: Istio's span tags and service name (`<app>.<namespace>`). */
  readonly workload?: ProxyWorkload;
  /** Tracing of sidecar listeners (with a traffic direction) whose HCM has no `tracing` block. */
  readonly sidecar?: HttpTracingConfig;
  /** A host of the named cluster for an export request, null = use the collector URL's host. */
  readonly resolveCluster: (name: string) => CollectorAddress | null;
  readonly ids?: IdSource;
  readonly limits?: ExporterLimits;
}

/**
 * Builds each HCM's Tracer and owns the exporters, one per distinct provider, kept across
 * reloads (their queues and connections survive) and flushed on stop.
 */
export class TracingHub {
  private readonly exporters = new Map<string, BatchExporter>();
  private readonly ids: IdSource;
  private readonly tags: readonly string[];

  constructor(private readonly opts: TracingHubOptions) {
    this.ids = opts.ids ?? new PooledIdSource();
    const w = opts.workload;
    this.tags = [
      'component',
      'proxy',
      'node_id',
      opts.node.id,
      ...(w === undefined
        ? []
        : [
            'istio.canonical_service',
            w.canonicalService,
            'istio.canonical_revision',
            w.canonicalRevision,
            'istio.namespace',
            w.namespace,
            'istio.mesh_id',
            'cluster.local',
            'istio.cluster_id',
            w.cluster,
          ]),
    ];
  }

  /** The HCM's tracer: its own `tracing` block, else the sidecar default on directed listeners. */
  tracerFor(hcm: HttpConnectionManagerConfig, direction: string | undefined): Tracer | null {
    const directed = direction === 'INBOUND' || direction === 'OUTBOUND';
    const cfg = hcm.tracing ?? (directed ? this.opts.sidecar : undefined);
    if (cfg === undefined) return null;
    return new Tracer(cfg, {
      ids: this.ids,
      random: this.opts.random,
      clock: this.opts.clock,
      sink: cfg.provider === null ? null : this.exporter(cfg.provider),
      egress: direction === 'OUTBOUND',
      tags: this.tags,
    });
  }

  private exporter(p: TracingProviderConfig): BatchExporter {
    const key = JSON.stringify(p);
    let e = this.exporters.get(key);
    if (e === undefined) {
      const cluster = p.cluster;
      e = new BatchExporter(
        p,
        this.resource(p),
        this.opts.stats(),
        cluster === null ? undefined : () => this.opts.resolveCluster(cluster),
        this.opts.limits ?? DEFAULT_EXPORTER_LIMITS,
      );
      this.exporters.set(key, e);
    }
    return e;
  }

  /** Istio names the service `<canonical service>.<namespace>`; Envoy the provider's or the node's cluster. */
  private resource(p: TracingProviderConfig): SpanResource {
    const w = this.opts.workload;
    const serviceName =
      p.serviceName !== ''
        ? p.serviceName
        : w !== undefined
          ? `${w.canonicalService}.${w.namespace}`
          : this.opts.node.cluster === ''
            ? 'skiff'
            : this.opts.node.cluster;
    return { serviceName, attributes: ['telemetry.sdk.name', 'skiff', 'telemetry.sdk.language', 'nodejs'] };
  }

  /** Sends what is queued (bounded wait) and stops every exporter. */
  async close(): Promise<void> {
    await Promise.all([...this.exporters.values()].map((e) => e.close()));
    this.exporters.clear();
  }
}
