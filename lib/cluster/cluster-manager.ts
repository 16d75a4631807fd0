import type { ClusterConfig } from '../config/model.js';
import type { ClusterStats } from '../stats/types.js';
import type { CertificateProvider } from '../tls/types.js';
import type { Clock } from '../util/clock.js';
import type { Random } from '../util/random.js';
import { ClusterImpl } from './cluster.js';
import { configEqual } from './config-equal.js';
import { type DnsResolver, systemDnsResolver } from './dns-resolver.js';
import type { LoadBalancerHooks } from './lb/index.js';
import type { Cluster } from './types.js';

/** Bound on a DNS cluster's first lookup before `ready()` goes on without its hosts. */
const DEFAULT_INITIAL_DNS_TIMEOUT_MS = 5000;

/** What the cluster manager is built from; one per Skiff instance. */
export interface ClusterDeps {
  clock: Clock;
  random: Random;
  /** Bound stat cells for one cluster name (called once per created cluster). */
  stats(clusterName: string): ClusterStats;
  /** Defaults to the OS resolver (`dns.lookup`). */
  resolver?: DnsResolver;
  /** Operational messages (DNS failures); defaults to stderr. */
  log?: (message: string) => void;
  initialDnsTimeoutMs?: number;
  /** Per-cluster load balancer observers (e.g. the `lb_healthy_panic` counter). */
  lbHooks?(clusterName: string): LoadBalancerHooks;
  /** The sidecar's workload certificate (ISTIO_MUTUAL and SDS `default`/`ROOTCA` clusters). */
  certificates?: CertificateProvider;
}

function logToStderr(message: string): void {
  process.stderr.write(`[skiff] ${message}\n`);
}

/**
 * Owns every cluster by name. A reload keeps each cluster whose config is unchanged (so its
 * pools, connections and counters survive), builds new ones and closes the ones that went away.
 */
export class ClusterManager {
  private readonly deps: ClusterDeps;
  private byName = new Map<string, ClusterImpl>();
  private list: readonly ClusterImpl[] = [];
  private readonly retiring = new Set<Promise<void>>();

  constructor(deps: ClusterDeps) {
    this.deps = deps;
  }

  async update(configs: readonly ClusterConfig[]): Promise<void> {
    const next = new Map<string, ClusterImpl>();
    for (const cfg of configs) {
      const old = this.byName.get(cfg.name);
      next.set(cfg.name, old !== undefined && configEqual(old.config, cfg) ? old : this.create(cfg));
    }
    const gone = [...this.byName.values()].filter((c) => next.get(c.name) !== c);
    this.byName = next;
    this.list = [...next.values()];
    // Pools drain in the background: a long response must not hold up a reload.
    for (const c of gone) this.retire(c);
  }

  get(name: string): Cluster | undefined {
    return this.byName.get(name);
  }

  all(): readonly Cluster[] {
    return this.list;
  }

  /** Resolves once every cluster's initial host set is known (each bounded by its DNS timeout). */
  async ready(): Promise<void> {
    await Promise.all(this.list.map((c) => c.ready()));
  }

  /** Closes every cluster; in-flight requests finish first. */
  async close(): Promise<void> {
    const all = this.list;
    this.byName = new Map();
    this.list = [];
    for (const c of all) this.retire(c);
    await Promise.all([...this.retiring]);
  }

  private create(cfg: ClusterConfig): ClusterImpl {
    const d = this.deps;
    return new ClusterImpl(cfg, {
      random: d.random,
      stats: d.stats(cfg.name),
      resolver: d.resolver ?? systemDnsResolver,
      log: d.log ?? logToStderr,
      initialDnsTimeoutMs: d.initialDnsTimeoutMs ?? DEFAULT_INITIAL_DNS_TIMEOUT_MS,
      lbHooks: d.lbHooks?.(cfg.name),
      clock: d.clock,
      certificates: d.certificates,
    });
  }

  private retire(c: ClusterImpl): void {
    const p = c.close();
    this.retiring.add(p);
    void p.finally(() => this.retiring.delete(p));
  }
}
