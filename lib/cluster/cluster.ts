import type { Client } from 'undici';
import type { ClusterConfig, EndpointConfig } from '../config/model.js';
import type { ClusterStats } from '../stats/types.js';
import type { CertificateProvider } from '../tls/types.js';
import { poolOptions } from '../upstream/pool-options.js';
import { UpstreamTransports } from '../upstream/upstream-transports.js';
import { type Clock, systemClock } from '../util/clock.js';
import type { Random } from '../util/random.js';
import { DnsRefresher, type DnsRound } from './dns-refresher.js';
import type { DnsResolver } from './dns-resolver.js';
import { EdsFileSource } from './eds-file-source.js';
import type { HcScheduler, ProbeFactory } from './health-check-probe.js';
import { HealthChecker } from './health-checker.js';
import { HostImpl } from './host.js';
import { createLoadBalancer, type LoadBalancerHooks } from './lb/index.js';
import { OriginalDstHosts } from './original-dst-hosts.js';
import { type IntervalScheduler, OutlierDetector, timerScheduler } from './outlier-detector.js';
import { ResourceManager } from './resource-manager.js';
import {
  type Cluster,
  HealthFlag,
  type Host,
  type LoadBalancer,
  type LoadBalancerContext,
  type RoutingPriority,
} from './types.js';

const NO_LOCALITY = Object.freeze({ region: '', zone: '', subZone: '' });

/** What one cluster needs from its manager. */
export interface ClusterImplDeps {
  readonly random: Random;
  readonly stats: ClusterStats;
  readonly resolver: DnsResolver;
  readonly log: (message: string) => void;
  /** How long `ready()` waits for the first DNS answer before giving up on it. */
  readonly initialDnsTimeoutMs: number;
  readonly lbHooks?: LoadBalancerHooks | undefined;
  /** Monotonic clock for slow start and outlier detection; the system clock when absent. */
  readonly clock?: Clock | undefined;
  /** Outlier detection's sweep timer; defaults to real (unref'd) timers. */
  readonly outlierScheduler?: IntervalScheduler | undefined;
  /** Active health check timers (unit tests drive them by hand); real timers by default. */
  readonly healthCheckScheduler?: HcScheduler | undefined;
  /** Replaces the real HTTP/TCP health check probes (unit tests). */
  readonly healthCheckProbes?: ProbeFactory | undefined;
  /** ORIGINAL_DST host cleanup timer; defaults to real (unref'd) timers. */
  readonly originalDstScheduler?: IntervalScheduler | undefined;
  /** The sidecar's workload certificate, for clusters that present or trust it. */
  readonly certificates?: CertificateProvider | undefined;
}

/**
 * A cluster's host set and load balancer. STATIC builds its hosts once; EDS follows its file;
 * STRICT_DNS and LOGICAL_DNS keep them in step with DNS, reusing the Host (and its pool) of every
 * address that stays; ORIGINAL_DST creates a host per destination header value on demand.
 */
export class ClusterImpl implements Cluster {
  readonly name: string;
  readonly config: ClusterConfig;
  readonly stats: ClusterStats;
  private readonly deps: ClusterImplDeps;
  private readonly pool: Client.Options;
  private readonly lb: LoadBalancer;
  private readonly dns: DnsRefresher | null = null;
  private readonly eds: EdsFileSource | null = null;
  private readonly initial: Promise<void>;
  /** STRICT_DNS: hosts per endpoint, so a failed lookup keeps that endpoint's last good set. */
  private perEndpoint: HostImpl[][] = [];
  private hostList: readonly HostImpl[] = [];
  /** EDS: the endpoint each entry of hostList was built from. */
  private hostEndpoints: readonly EndpointConfig[] = [];
  private readonly closing = new Set<Promise<void>>();
  private closed = false;
  private readonly defaultResources: ResourceManager;
  private readonly highResources: ResourceManager;
  /** Null when the cluster has no `outlier_detection`. */
  readonly outlierDetector: OutlierDetector | null = null;
  private readonly checker: HealthChecker | null = null;
  /** ORIGINAL_DST with a destination header: picks replace the load balancer. */
  private readonly originalDst: OriginalDstHosts | null = null;
  /** Sticky: set once any host has carried a request or opened a pool connection. */
  private trafficSeen = false;
  private readonly transports: UpstreamTransports;

  constructor(config: ClusterConfig, deps: ClusterImplDeps) {
    this.name = config.name;
    this.config = config;
    this.stats = deps.stats;
    this.deps = deps;
    this.pool = poolOptions(config);
    this.transports = new UpstreamTransports(config, { certificates: deps.certificates, log: deps.log });
    const cb = config.circuitBreakers;
    this.defaultResources = ResourceManager.fromConfig(
      cb.default,
      deps.stats.circuitBreakers('DEFAULT', cb.default.trackRemaining),
    );
    this.highResources = ResourceManager.fromConfig(
      cb.high,
      deps.stats.circuitBreakers('HIGH', cb.high.trackRemaining),
    );
    const hc = config.healthChecks[0];
    if (hc !== undefined) {
      this.checker = new HealthChecker({
        config: hc,
        clusterName: config.name,
        stats: deps.stats.healthCheck,
        random: deps.random,
        scheduler: deps.healthCheckScheduler,
        probes: deps.healthCheckProbes,
        hadTraffic: () => this.hadTraffic(),
        onHealthChanged: () => this.onHostHealthChanged(),
      });
    }
    const dnsBased = config.type === 'STRICT_DNS' || config.type === 'LOGICAL_DNS';
    if (!dnsBased) this.hostList = config.endpoints.map((e) => this.newHost(e, e.address.address, false));
    if (config.outlierDetection !== null) {
      this.outlierDetector = new OutlierDetector(config.outlierDetection, {
        clock: deps.clock ?? systemClock,
        random: deps.random,
        stats: deps.stats.outlierDetection,
        onHealthChanged: () => this.onHostHealthChanged(),
        scheduler: deps.outlierScheduler,
      });
      this.outlierDetector.setHosts(this.hostList);
    }
    this.lb = createLoadBalancer(config, this.hostList, deps.random, deps.lbHooks, deps.clock);
    this.updateMembership();
    this.checker?.setHosts(this.hostList);
    if (config.type === 'ORIGINAL_DST' && config.originalDst !== undefined) {
      this.originalDst = this.originalDstHosts(config, deps);
    }
    if (config.type === 'EDS' && config.eds !== null) {
      this.eds = new EdsFileSource({
        config: config.eds,
        clusterName: config.name,
        onEndpoints: (eps) => this.applyEndpoints(eps),
        log: deps.log,
      });
      this.initial = this.eds.start();
      return;
    }
    if (!dnsBased || config.endpoints.length === 0) {
      this.initial = Promise.resolve();
      return;
    }
    // Envoy's LOGICAL_DNS uses exactly one endpoint; extra ones are ignored.
    const endpoints = config.type === 'LOGICAL_DNS' ? config.endpoints.slice(0, 1) : config.endpoints;
    this.perEndpoint = endpoints.map(() => []);
    this.dns = new DnsRefresher({
      owner: config.name,
      names: endpoints.map((e) => e.address.address),
      family: config.dnsLookupFamily,
      refreshRateMs: config.dnsRefreshRateMs,
      initialTimeoutMs: deps.initialDnsTimeoutMs,
      resolver: deps.resolver,
      log: deps.log,
      onRound: (round) => this.applyDns(round),
    });
    this.initial = this.dns.start();
  }

  chooseHost(ctx: LoadBalancerContext): Host | null {
    const od = this.originalDst;
    const host = od === null ? this.lb.chooseHost(ctx) : od.pick(ctx.originalDstHost);
    if (host === null) this.stats.upstreamCxNoneHealthy.inc();
    return host;
  }

  hosts(): readonly Host[] {
    return this.hostList;
  }

  resources(priority: RoutingPriority): ResourceManager {
    return priority === 'HIGH' ? this.highResources : this.defaultResources;
  }

  /** With active health checks, also waits for every initial host's first check (Envoy's warming). */
  ready(): Promise<void> {
    const checker = this.checker;
    return checker === null ? this.initial : this.initial.then(() => checker.initialChecks());
  }

  /**
   * The data path saw `x-envoy-immediate-health-check-fail` on a response from `host`: with an
   * active health check the host fails it at once (until its checks pass again); otherwise the
   * header is ignored, as in Envoy.
   */
  onImmediateHealthCheckFail(host: Host): void {
    this.checker?.immediateFail(host);
  }

  /** Call after any host's `healthFlags` changed (health checker, outlier detector). */
  onHostHealthChanged(): void {
    this.lb.refresh(this.hostList);
    this.updateMembership();
  }

  /** Re-resolves DNS now; a no-op for clusters without DNS. */
  refreshDns(): Promise<void> {
    return this.dns === null ? Promise.resolve() : this.dns.refresh();
  }

  async close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.dns?.stop();
      this.eds?.stop();
      this.outlierDetector?.stop();
      this.checker?.stop();
      this.originalDst?.stop();
      this.transports.close();
      for (const h of this.hostList) this.retire(h);
    }
    await Promise.all([...this.closing]);
  }

  private applyDns(round: DnsRound): void {
    if (this.closed) return;
    if (this.config.type === 'LOGICAL_DNS') {
      this.applyLogical(round[0] ?? null);
      return;
    }
    let changed = false;
    for (let i = 0; i < round.length; i++) {
      const addresses = round[i];
      if (addresses === null || addresses === undefined) continue;
      const old = this.perEndpoint[i]!;
      const byAddress = new Map(old.map((h) => [h.address, h]));
      const next = addresses.map(
        (a) => byAddress.get(a) ?? this.newHost(this.config.endpoints[i]!, a, false),
      );
      const kept = new Set(next);
      for (const h of old) if (!kept.has(h)) this.retire(h);
      if (next.length !== old.length || next.some((h, j) => h !== old[j])) changed = true;
      this.perEndpoint[i] = next;
    }
    if (changed) this.setHosts(this.perEndpoint.flat());
  }

  /** EDS: a new endpoint list; hosts whose endpoint is unchanged keep their pool and counters. */
  private applyEndpoints(endpoints: readonly EndpointConfig[]): void {
    if (this.closed) return;
    const key = (e: EndpointConfig): string =>
      `${e.address.address}|${e.address.port}|${e.weight}|${e.priority}|${e.healthStatus}|${e.hostname}|${JSON.stringify(e.labels)}`;
    const old = new Map<string, HostImpl>();
    for (let i = 0; i < this.hostList.length; i++) old.set(key(this.hostEndpoints[i]!), this.hostList[i]!);
    const next = endpoints.map((e) => {
      const kept = old.get(key(e));
      if (kept !== undefined) old.delete(key(e));
      return kept ?? this.newHost(e, e.address.address, false);
    });
    for (const h of old.values()) this.retire(h);
    this.hostEndpoints = endpoints;
    this.setHosts(next);
  }

  private applyLogical(addresses: readonly string[] | null): void {
    const first = addresses?.[0];
    if (first === undefined) return;
    const current = this.hostList[0];
    if (current === undefined) {
      this.setHosts([this.newHost(this.config.endpoints[0]!, first, true)]);
    } else if (current.address !== first) {
      current.repoint(first);
    }
  }

  private setHosts(hosts: HostImpl[]): void {
    this.hostList = hosts;
    this.outlierDetector?.setHosts(hosts);
    this.checker?.setHosts(hosts);
    this.lb.refresh(hosts);
    this.updateMembership();
  }

  private retire(host: HostImpl): void {
    const p = host.close().catch((err: unknown) => {
      this.deps.log(`cluster ${this.name}: closing pool of ${host.authority} failed: ${String(err)}`);
    });
    this.closing.add(p);
    void p.finally(() => this.closing.delete(p));
  }

  private updateMembership(): void {
    let healthy = 0;
    for (const h of this.hostList) if (h.healthy()) healthy++;
    this.stats.membershipTotal.set(this.hostList.length);
    this.stats.membershipHealthy.set(healthy);
  }

  private hadTraffic(): boolean {
    if (this.trafficSeen) return true;
    for (const h of this.hostList) {
      if (h.counters.rqTotal > 0 || h.counters.cxTotal > 0) {
        this.trafficSeen = true;
        break;
      }
    }
    return this.trafficSeen;
  }

  private originalDstHosts(config: ClusterConfig, deps: ClusterImplDeps): OriginalDstHosts {
    const stats = deps.stats;
    return new OriginalDstHosts({
      config: config.originalDst!,
      scheduler: deps.originalDstScheduler ?? timerScheduler,
      newHost: (address, port, hostname) =>
        this.newHost(
          {
            address: { address, port },
            weight: 1,
            healthStatus: 'UNKNOWN',
            locality: NO_LOCALITY,
            priority: 0,
            hostname,
            labels: {},
          },
          address,
          false,
        ),
      onHostsChanged: (hosts) => {
        if (!this.closed) this.setHosts(hosts);
      },
      retire: (host) => this.retire(host),
      onInvalid: () => stats.originalDstHostInvalid?.inc(),
    });
  }

  private newHost(e: EndpointConfig, address: string, logical: boolean): HostImpl {
    const host = this.buildHost(e, address, logical);
    // Envoy: with a health checker a new host is unhealthy until its first check passes.
    if (this.config.healthChecks.length > 0) host.healthFlags |= HealthFlag.FailedActiveHc;
    return host;
  }

  private buildHost(e: EndpointConfig, address: string, logical: boolean): HostImpl {
    const dnsBased = this.config.type === 'STRICT_DNS' || this.config.type === 'LOGICAL_DNS';
    return new HostImpl({
      cluster: this,
      address,
      port: e.address.port,
      hostname: e.hostname !== '' ? e.hostname : dnsBased ? e.address.address : '',
      weight: e.weight,
      priority: e.priority,
      labels: e.labels,
      locality: e.locality,
      edsHealthStatus: e.healthStatus,
      stats: this.stats,
      poolOptions: this.pool,
      maxRequestsPerConnection: this.config.maxRequestsPerConnection,
      // Routes' `priority` is not decoded, so every request runs at DEFAULT.
      resources: this.defaultResources,
      logical,
      transport: this.transports.forEndpoint(e.labels),
    });
  }
}
