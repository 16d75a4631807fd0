import { TracingStats } from '../tracing/tracing-stats.js';
import { bindAccessLogStats } from './access-log-stats.js';
import type { Counter } from './cells.js';
import { CertStats } from './cert-stats.js';
import { CIRCUIT_BREAKER_STATS } from './circuit-breaker-stats.js';
import { BoundClusterStats, CLUSTER_STATS } from './cluster-stats.js';
import { bindCorsStats, CORS_STATS, type CorsStats } from './cors-stats.js';
import { EXPOSITION_CONTENT_TYPE, type ExpositionQuery } from './exposition.js';
import { Families } from './families.js';
import { bindFaultStats, FAULT_STATS, type FaultStats } from './fault-stats.js';
import { BoundHttpStats, HTTP_STATS } from './http-stats.js';
import { IstioStats } from './istio/istio-stats.js';
import { BoundListenerStats, LISTENER_STATS, listenerStatAddress } from './listener-stats.js';
import type { StatNaming } from './naming.js';
import { bindNetworkRbacStats, NETWORK_RBAC_STATS } from './network-rbac-stats.js';
import { bindRbacStats, RBAC_STATS, type RbacStats } from './rbac-stats.js';
import { RELOAD_STATS, ReloadStats } from './reload-stats.js';
import { type ServerInfo, ServerStats } from './server-stats.js';
import { listStats, type StatEntry } from './stat-list.js';
import { bindTcpStats, TCP_STATS } from './tcp-stats.js';
import type { ClusterStats, HttpConnectionManagerStats, ListenerStats, TcpProxyStats } from './types.js';

/** `map`'s entry for `key`, made on first use (bind time only, never per request). */
function cached<V>(map: Map<string, V>, key: string, make: () => V): V {
  let v = map.get(key);
  if (v === undefined) {
    v = make();
    map.set(key, v);
  }
  return v;
}

/**
 * All stats of one Skiff instance (no process-wide registry): the declared families and the
 * bound stat objects, cached by cluster name / stat_prefix / listener address so the same
 * object survives config reloads. The exposition is written by lib/stats/exposition.ts.
 */
export class StatsRegistry {
  private readonly families = new Families();
  private readonly clusters = new Map<string, BoundClusterStats>();
  private readonly http = new Map<string, BoundHttpStats>();
  private readonly listeners = new Map<string, BoundListenerStats>();
  private readonly faults = new Map<string, FaultStats>();
  private readonly cors = new Map<string, CorsStats>();
  private readonly rbac = new Map<string, RbacStats>();
  private readonly server: ServerStats;
  /** `skiff_config_reload_total{result}`. */
  readonly reload: ReloadStats;
  private readonly certs: CertStats;
  /** `skiff_access_log_dropped_total`, bumped by every access-log sink of this instance. */
  readonly accessLogDropped: Counter;
  private istio: IstioStats | null = null;
  /** Tag names of the Prometheus series (`istio` in sidecar mode); applied at scrape time only. */
  naming: StatNaming = 'envoy';
  private tracing: TracingStats | null = null;
  private readonly tcp = new Map<string, TcpProxyStats>();
  private readonly networkRbac = new Map<string, RbacStats>();

  constructor() {
    this.families.declare(CLUSTER_STATS);
    this.families.declare(CIRCUIT_BREAKER_STATS);
    this.families.declare(HTTP_STATS);
    this.families.declare(LISTENER_STATS);
    this.families.declare(FAULT_STATS);
    this.families.declare(CORS_STATS);
    this.families.declare(RBAC_STATS);
    this.server = new ServerStats(this.families);
    this.families.declare(RELOAD_STATS);
    this.reload = new ReloadStats(this.families);
    this.certs = new CertStats(this.families);
    this.accessLogDropped = bindAccessLogStats(this.families);
    this.families.declare(TCP_STATS);
    this.families.declare(NETWORK_RBAC_STATS);
  }

  /** `text/plain; version=0.0.4; charset=utf-8`. */
  get contentType(): string {
    return EXPOSITION_CONTENT_TYPE;
  }

  clusterStats(name: string): ClusterStats {
    return cached(this.clusters, name, () => new BoundClusterStats(this.families, name));
  }

  /** Drops every series of a removed cluster; a later `clusterStats(name)` starts from zero. */
  removeCluster(name: string): void {
    const s = this.clusters.get(name);
    if (s === undefined) return;
    s.detach();
    this.clusters.delete(name);
    this.families.removeWhere(CLUSTER_STATS, 'envoy_cluster_name', name);
    this.families.removeWhere(CIRCUIT_BREAKER_STATS, 'envoy_cluster_name', name);
  }

  httpStats(statPrefix: string): HttpConnectionManagerStats {
    return cached(this.http, statPrefix, () => new BoundHttpStats(this.families, statPrefix));
  }

  /** A tcp_proxy's `tcp.<stat_prefix>.*` stats (shared by chains with the same prefix). */
  tcpStats(statPrefix: string): TcpProxyStats {
    return cached(this.tcp, statPrefix, () => bindTcpStats(this.families, statPrefix));
  }

  /** A network RBAC filter's `<stat_prefix>rbac.*` stats (shared by filters with the same prefix). */
  networkRbacStats(statPrefix: string): RbacStats {
    return cached(this.networkRbac, statPrefix, () => bindNetworkRbacStats(this.families, statPrefix));
  }

  /** The fault filter's stats of one HCM (shared by its listener-level and per-route configs). */
  faultStats(statPrefix: string): FaultStats {
    return cached(this.faults, statPrefix, () => bindFaultStats(this.families, statPrefix));
  }

  /** The RBAC filter's stats of one HCM. */
  rbacStats(statPrefix: string): RbacStats {
    return cached(this.rbac, statPrefix, () => bindRbacStats(this.families, statPrefix));
  }

  /** The CORS filter's stats of one HCM. */
  corsStats(statPrefix: string): CorsStats {
    return cached(this.cors, statPrefix, () => bindCorsStats(this.families, statPrefix));
  }

  listenerStats(address: string, port: number): ListenerStats {
    const key = listenerStatAddress(address, port);
    return cached(this.listeners, key, () => new BoundListenerStats(this.families, key));
  }

  /** Istio's standard metrics (sidecar mode only: declared on first use, with `istio_build`). */
  istioStats(version: string): IstioStats {
    this.istio ??= new IstioStats(this.families, version);
    return this.istio;
  }

  /** Span export stats (`skiff_tracing_*`), declared when the first exporter is created. */
  tracingStats(): TracingStats {
    this.tracing ??= new TracingStats(this.families);
    return this.tracing;
  }

  setServerInfo(fn: () => ServerInfo): void {
    this.server.setInfo(fn);
  }

  /** `skiff_cert_expiry_seconds`: `fn` gives the seconds left, or null without a certificate. */
  setCertificateExpiry(fn: () => number | null): void {
    this.certs.setSource(fn);
  }

  /** Prometheus text exposition format 0.0.4, named per `naming`; `q` selects as Envoy's query does. */
  metrics(q: Omit<ExpositionQuery, 'naming'> = {}): Promise<string> {
    return Promise.resolve(this.families.exposition({ ...q, naming: this.naming }));
  }

  /** Every stat under its Envoy name (admin `/stats`), sorted. */
  statList(): StatEntry[] {
    return listStats(this.families.scrape());
  }
}
