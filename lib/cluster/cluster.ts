import type { Client } from 'undici';
import type { ClusterConfig, EndpointConfig } from '../config/model.js';
import type { ClusterStats } from '../stats/types.js';
import { poolOptions } from '../upstream/pool-options.js';
import type { Random } from '../util/random.js';
import { DnsRefresher, type DnsRound } from './dns-refresher.js';
import type { DnsResolver } from './dns-resolver.js';
import { HostImpl } from './host.js';
import { createLoadBalancer, type LoadBalancerHooks } from './lb/index.js';
import { ResourceManager } from './resource-manager.js';
import type { Cluster, Host, LoadBalancer, LoadBalancerContext, RoutingPriority } from './types.js';

/** What one cluster needs from its manager. */
export interface ClusterImplDeps {
  readonly random: Random;
  readonly stats: ClusterStats;
  readonly resolver: DnsResolver;
  readonly log: (message: string) => void;
  /** How long `ready()` waits for the first DNS answer before giving up on it. */
  readonly initialDnsTimeoutMs: number;
  readonly lbHooks?: LoadBalancerHooks | undefined;
}

/**
 * A cluster's host set and load balancer. STATIC (and EDS/ORIGINAL_DST, whose endpoints arrive
 * in the config for now) build their hosts once; STRICT_DNS and LOGICAL_DNS keep them in step
 * with DNS, reusing the Host (and its pool) of every address that stays.
 */
export class ClusterImpl implements Cluster {
  readonly name: string;
  readonly config: ClusterConfig;
  readonly stats: ClusterStats;
  private readonly deps: ClusterImplDeps;
  private readonly pool: Client.Options;
  private readonly lb: LoadBalancer;
  private readonly dns: DnsRefresher | null = null;
  private readonly initial: Promise<void>;
  /** STRICT_DNS: hosts per endpoint, so a failed lookup keeps that endpoint's last good set. */
  private perEndpoint: HostImpl[][] = [];
  private hostList: readonly HostImpl[] = [];
  private readonly closing = new Set<Promise<void>>();
  private closed = false;
  private readonly defaultResources: ResourceManager;
  private readonly highResources: ResourceManager;

  constructor(config: ClusterConfig, deps: ClusterImplDeps) {
    this.name = config.name;
    this.config = config;
    this.stats = deps.stats;
    this.deps = deps;
    this.pool = poolOptions(config);
    const cb = config.circuitBreakers;
    this.defaultResources = ResourceManager.fromConfig(
      cb.default,
      deps.stats.circuitBreakers('DEFAULT', cb.default.trackRemaining),
    );
    this.highResources = ResourceManager.fromConfig(
      cb.high,
      deps.stats.circuitBreakers('HIGH', cb.high.trackRemaining),
    );
    const dnsBased = config.type === 'STRICT_DNS' || config.type === 'LOGICAL_DNS';
    if (!dnsBased) this.hostList = config.endpoints.map((e) => this.newHost(e, e.address.address, false));
    this.lb = createLoadBalancer(config, this.hostList, deps.random, deps.lbHooks);
    this.updateMembership();
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
    const host = this.lb.chooseHost(ctx);
    if (host === null) this.stats.upstreamCxNoneHealthy.inc();
    return host;
  }

  hosts(): readonly Host[] {
    return this.hostList;
  }

  resources(priority: RoutingPriority): ResourceManager {
    return priority === 'HIGH' ? this.highResources : this.defaultResources;
  }

  ready(): Promise<void> {
    return this.initial;
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

  private newHost(e: EndpointConfig, address: string, logical: boolean): HostImpl {
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
    });
  }
}
