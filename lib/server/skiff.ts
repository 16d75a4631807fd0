import type { AddressInfo, Server } from 'node:net';
import { AccessLogSinks } from '../accesslog/sink.js';
import { startAdminServer } from '../admin/admin-server.js';
import { type ProbeServer, startReadinessServer, startStatsServer } from '../admin/probe-servers.js';
import type { AdminContext, ListenerInfo, ServerState } from '../admin/types.js';
import { ClusterManager } from '../cluster/cluster-manager.js';
import { ANY_HOST, type Cluster } from '../cluster/types.js';
import type { LoadOptions } from '../config/load.js';
import type { Bootstrap, HttpTracingConfig, ListenerConfig } from '../config/model.js';
import { SkiffError } from '../errors.js';
import type { DrainState } from '../http/connection-manager.js';
import { LocalReplyRing } from '../http/local-reply-ring.js';
import {
  type ChainRuntime,
  createServingListener,
  type ServingListener,
} from '../listener/serving-listener.js';
import { ShadowTracker } from '../router/shadow-tracker.js';
import { IstioReporter } from '../stats/istio/istio-reporter.js';
import type { ProxyWorkload } from '../stats/istio/workload-facts.js';
import type { StatNaming } from '../stats/naming.js';
import { StatsRegistry } from '../stats/registry.js';
import { buildTcpProxyRuntime } from '../tcp/tcp-proxy-runtime.js';
import type { TcpObserverFactory } from '../tcp/tcp-session-view.js';
import { snapshotOf } from '../tls/certificate-source.js';
import type { CertificateProvider } from '../tls/types.js';
import { TracingHub } from '../tracing/tracing-hub.js';
import { type Clock, systemClock } from '../util/clock.js';
import { createLogger, type Logger } from '../util/logger.js';
import { type Random, systemRandom } from '../util/random.js';
import { VERSION } from '../version.js';
import { buildHcmRuntime } from './build-runtime.js';
import { ConfigReloader } from './config-reloader.js';
import { servableChains } from './workload-tls-check.js';

export interface SkiffOptions {
  /** Overrides `admin.address` port (0 = ephemeral). An admin server is started even without `admin`. */
  readonly adminPort?: number;
  readonly adminAddress?: string;
  readonly logger?: Logger;
  readonly clock?: Clock;
  readonly random?: Random;
  readonly commandLine?: readonly string[];
  /** Called on POST /quitquitquit after Skiff stopped (the CLI exits the process). */
  readonly onQuit?: () => void;
  /** Istio's readiness port (`/healthz/ready`, 15021 in a sidecar); absent = off, 0 = ephemeral. */
  readonly readinessPort?: number;
  /** Istio's Prometheus port (`/stats/prometheus`, 15090 in a sidecar); absent = off, 0 = ephemeral. */
  readonly statsPort?: number;
  /** Address for those two ports; default 0.0.0.0 (kubelet and Prometheus reach them from outside). */
  readonly probeAddress?: string;
  /** The sidecar's workload certificate: SDS `default` / `ROOTCA` in filter chains, `/certs`, `skiff_cert_expiry_seconds`; Skiff closes it on stop. */
  readonly certificates?: CertificateProvider;
  /**
   * The sidecar's workload (sidecar mode): turns on Istio's standard metrics and peer metadata
   * exchange on listeners with a traffic direction (OUTBOUND reports `source`, INBOUND
   * `destination`). Absent = Envoy mode, no `istio_*` families.
   */
  readonly istioWorkload?: ProxyWorkload;
  /** Tag names of the Envoy stats in Prometheus form; default `istio` with `istioWorkload`, else `envoy`. */
  readonly statNaming?: StatNaming;
  /**
   * Sidecar tracing: applies to listeners with a traffic direction whose HCM has no `tracing`
   * block (propagation always, export per its provider). Absent = only HCM `tracing` blocks trace.
   */
  readonly tracing?: HttpTracingConfig;
  /**
   * Observers of each listener's tcp_proxy sessions (Istio's TCP metrics); called when the
   * listener's runtimes are built (start, reload). Absent or null = nobody observes.
   */
  readonly tcpObservers?: (listener: ListenerConfig) => TcpObserverFactory | null;
}

interface ActiveListener {
  config: ListenerConfig;
  readonly handle: ServingListener;
  address: string;
  port: number;
}

/**
 * One running proxy: listeners, clusters, stats, access-log sinks and the admin server built
 * from one validated Bootstrap. Owns their lifecycle; nothing here is a module singleton.
 */
export class Skiff {
  readonly stats = new StatsRegistry();
  readonly log: Logger;
  private readonly clock: Clock;
  private readonly random: Random;
  private readonly clusterManager: ClusterManager;
  private readonly shadows: ShadowTracker;
  private readonly sinks = new AccessLogSinks(this.stats.accessLogDropped);
  private readonly listeners: ActiveListener[] = [];
  private readonly drain: DrainState = { draining: false };
  private admin: { address: string; port: number; close(): Promise<void> } | null = null;
  private readonly probes = new Map<'readiness' | 'stats', ProbeServer>();
  private serverState: ServerState = 'PRE_INITIALIZING';
  private startedAt = 0;
  private bootstrap: Bootstrap;
  private stopping: Promise<void> | null = null;
  private reloader: ConfigReloader | null = null;
  /** One reporter per side, kept across reloads (their label caches stay warm). */
  private readonly istioReporters = new Map<'source' | 'destination', IstioReporter>();
  /** The last local replies of every listener, for the admin dashboard. */
  private readonly localReplies = new LocalReplyRing(50);
  private readonly tracing: TracingHub;

  private constructor(
    bootstrap: Bootstrap,
    private readonly opts: SkiffOptions,
  ) {
    this.bootstrap = bootstrap;
    this.stats.naming = opts.statNaming ?? (opts.istioWorkload === undefined ? 'envoy' : 'istio');
    this.log = opts.logger ?? createLogger('info');
    this.clock = opts.clock ?? systemClock;
    this.random = opts.random ?? systemRandom;
    this.clusterManager = new ClusterManager({
      clock: this.clock,
      random: this.random,
      stats: (name) => this.stats.clusterStats(name),
      // Per cluster, not per request: the LB calls it once per panic-mode pick.
      lbHooks: (name) => {
        const panics = this.stats.clusterStats(name).lbHealthyPanic;
        return panics === undefined ? {} : { onHealthyPanic: () => panics.inc() };
      },
      ...(opts.certificates === undefined ? {} : { certificates: opts.certificates }),
    });
    this.shadows = new ShadowTracker(this.clock);
    this.tracing = new TracingHub({
      clock: this.clock,
      random: this.random,
      stats: () => this.stats.tracingStats(),
      node: bootstrap.node,
      ...(opts.istioWorkload === undefined ? {} : { workload: opts.istioWorkload }),
      ...(opts.tracing === undefined ? {} : { sidecar: opts.tracing }),
      // Export requests pick any host of the collector cluster.
      resolveCluster: (name) => {
        const host = this.clusterManager.get(name)?.chooseHost(ANY_HOST) ?? null;
        return host === null ? null : { host: host.address, port: host.port };
      },
    });
  }

  /** Builds everything and binds every port; on failure nothing is left listening. */
  static async start(bootstrap: Bootstrap, opts: SkiffOptions = {}): Promise<Skiff> {
    const skiff = new Skiff(bootstrap, opts);
    try {
      await skiff.init();
    } catch (err) {
      await skiff.stop();
      throw err;
    }
    return skiff;
  }

  private async init(): Promise<void> {
    this.serverState = 'INITIALIZING';
    this.stats.setServerInfo(() => ({
      live: this.serverState === 'LIVE',
      uptimeSeconds: this.uptimeSeconds(),
      state: ['LIVE', 'DRAINING', 'PRE_INITIALIZING', 'INITIALIZING'].indexOf(this.serverState),
      concurrency: 1,
    }));
    const certs = this.opts.certificates;
    if (certs !== undefined) {
      this.stats.setCertificateExpiry(() => {
        const c = certs.current();
        return c === null ? null : (c.notAfter.getTime() - this.clock.wallNow()) / 1000;
      });
    }
    await this.startAdmin();
    await this.startProbes();
    await this.clusterManager.update(this.bootstrap.clusters);
    await this.clusterManager.ready();
    for (const c of this.bootstrap.listeners) {
      const cfg = this.servable(c);
      await this.addListener(cfg, this.buildRuntimes(cfg));
    }
    this.startedAt = this.clock.now();
    this.serverState = 'LIVE';
  }

  private async addListener(cfg: ListenerConfig, runtimes: readonly ChainRuntime[]): Promise<void> {
    const handle = createServingListener(cfg, runtimes, {
      stats: this.stats.listenerStats(cfg.address.address, cfg.address.port),
      drain: this.drain,
      certificates: this.opts.certificates ?? null,
      log: this.log,
    });
    const active: ActiveListener = { config: cfg, handle, address: '', port: 0 };
    this.listeners.push(active);
    await listen(handle.server, cfg);
    const a = handle.server.address() as AddressInfo;
    active.address = a.address;
    active.port = a.port;
    this.log.info(`listener ${cfg.name} listening on ${a.address}:${a.port}`);
  }

  /** Watches `paths` and reloads on change (and on `reloadNow()`, which the CLI wires to SIGHUP). */
  watchConfig(paths: readonly string[], load: LoadOptions = {}): ConfigReloader {
    this.reloader?.stop();
    const reloader = new ConfigReloader({
      paths,
      load,
      target: this,
      stats: this.stats.reload,
      log: this.log,
    });
    reloader.start(this.bootstrap.sources);
    this.reloader = reloader;
    return reloader;
  }

  /**
   * Swaps in a new validated config. Everything that can fail on its own (compiling each
   * listener's route table and filters) runs before anything changes; then clusters update (an
   * unchanged cluster keeps its pools, breakers and outlier state), listeners that keep their name
   * and address get the new runtime (requests in flight finish on the one they started with), new
   * listeners bind and removed ones drain. The admin server is not rebound.
   */
  async reload(next: Bootstrap): Promise<void> {
    if (this.serverState !== 'LIVE') throw new SkiffError('SKIFF_ERR_RELOAD', 'not serving: no reload');
    const plans = next.listeners.map((c) => {
      const cfg = this.servable(c);
      return {
        cfg,
        runtimes: this.buildRuntimes(cfg),
        kept: this.listeners.find(
          (l) => l.config.name === cfg.name && sameAddress(l.config, cfg) && l.handle.accepts(cfg),
        ),
      };
    });
    await this.clusterManager.update(next.clusters);
    await this.clusterManager.ready();
    const gone = this.listeners.filter((l) => !plans.some((p) => p.kept === l));
    for (const p of plans) {
      if (p.kept === undefined) continue;
      p.kept.config = p.cfg;
      p.kept.handle.update(p.cfg, p.runtimes);
    }
    for (const l of gone) {
      this.listeners.splice(this.listeners.indexOf(l), 1);
      // close() stops accepting at once, so a listener that changed shape can rebind its port.
      void l.handle.close();
      this.log.info(`listener ${l.config.name} removed`);
    }
    for (const p of plans) if (p.kept === undefined) await this.addListener(p.cfg, p.runtimes);
    this.bootstrap = next;
  }

  /**
   * One runtime per filter chain, in order: an HCM's or a tcp_proxy's. `tcpObservers` observes
   * the listener's TCP sessions (default: `SkiffOptions.tcpObservers`, else the sidecar's Istio
   * reporter for the listener's direction, else none).
   */
  private buildRuntimes(
    cfg: ListenerConfig,
    tcpObservers: TcpObserverFactory | null = this.opts.tcpObservers?.(cfg) ?? null,
  ): ChainRuntime[] {
    if (cfg.filterChains.length === 0)
      throw new SkiffError('SKIFF_ERR_CONFIG', `listener ${cfg.name} has no filter chain`);
    const istio = this.istioReporter(cfg);
    return cfg.filterChains.map((chain): ChainRuntime => {
      if (chain.hcm === undefined)
        return buildTcpProxyRuntime(
          chain.tcpProxy,
          {
            clusters: this.clusterManager,
            stats: this.stats,
            sinks: this.sinks,
            clock: this.clock,
            random: this.random,
            observers: tcpObservers ?? istio,
            bufferLimitBytes: cfg.perConnectionBufferLimitBytes,
          },
          chain.networkRbac,
        );
      return buildHcmRuntime(chain.hcm, {
        istio,
        tracing: this.tracing,
        direction: cfg.trafficDirection,
        clusters: this.clusterManager,
        stats: this.stats,
        sinks: this.sinks,
        clock: this.clock,
        random: this.random,
        shadows: this.shadows,
        localReplies: this.localReplies,
      });
    });
  }

  /** The Istio reporter for a sidecar listener's direction, or null (Envoy mode, no direction). */
  private istioReporter(cfg: ListenerConfig): IstioReporter | null {
    const workload = this.opts.istioWorkload;
    if (workload === undefined) return null;
    const side =
      cfg.trafficDirection === 'OUTBOUND'
        ? 'source'
        : cfg.trafficDirection === 'INBOUND'
          ? 'destination'
          : null;
    if (side === null) return null;
    let r = this.istioReporters.get(side);
    if (r === undefined) {
      r = new IstioReporter(this.stats.istioStats(VERSION), workload, side);
      this.istioReporters.set(side, r);
    }
    return r;
  }

  /** The listener without chains that cannot be served for lack of a workload certificate. */
  private servable(cfg: ListenerConfig): ListenerConfig {
    const r = servableChains(cfg, this.opts.certificates !== undefined);
    if (r.dropped > 0)
      this.log.warn(
        `listener ${cfg.name}: ${r.dropped} TLS filter chain(s) need the workload certificate and none is configured (--cert-dir or --ca-dir); serving plaintext only`,
      );
    return r.listener;
  }

  private async startAdmin(): Promise<void> {
    const cfg = this.bootstrap.admin;
    if (cfg === null && this.opts.adminPort === undefined) return;
    const address = {
      address: this.opts.adminAddress ?? cfg?.address.address ?? '127.0.0.1',
      port: this.opts.adminPort ?? cfg?.address.port ?? 15000,
    };
    const admin = await startAdminServer(this.adminContext(), address);
    this.admin = admin;
    this.log.info(`admin listening on ${admin.address}:${admin.port}`);
  }

  /** Started before clusters warm up, so readiness says 503 until Skiff is LIVE. */
  private async startProbes(): Promise<void> {
    const address = this.opts.probeAddress ?? '0.0.0.0';
    const { readinessPort, statsPort } = this.opts;
    if (readinessPort !== undefined)
      this.probes.set('readiness', await startReadinessServer(this.adminContext(), address, readinessPort));
    if (statsPort !== undefined)
      this.probes.set('stats', await startStatsServer(this.adminContext(), address, statsPort));
  }

  /** The bound readiness or stats port, or null when that port is off. */
  probePort(kind: 'readiness' | 'stats'): number | null {
    return this.probes.get(kind)?.port ?? null;
  }

  private adminContext(): AdminContext {
    return {
      state: () => this.serverState,
      uptimeSeconds: () => this.uptimeSeconds(),
      version: () => VERSION,
      commandLine: () => this.opts.commandLine ?? process.argv.slice(2),
      config: () => this.bootstrap,
      lastReloadError: () => this.reloader?.lastError ?? null,
      listeners: () => this.listenerInfo(),
      clusters: () => this.clusters(),
      prometheus: (q) => this.stats.metrics(q),
      stats: () => this.stats.statList(),
      recentLocalReplies: () => this.localReplies.recent(),
      certificates: () => (this.opts.certificates === undefined ? null : snapshotOf(this.opts.certificates)),
      quit: () => {
        this.stop().then(
          () => this.opts.onQuit?.(),
          (err: unknown) => {
            this.log.error(`stop failed: ${err instanceof Error ? err.message : String(err)}`);
            this.opts.onQuit?.();
          },
        );
      },
    };
  }

  state(): ServerState {
    return this.serverState;
  }

  uptimeSeconds(): number {
    return this.startedAt === 0 ? 0 : Math.floor((this.clock.now() - this.startedAt) / 1000);
  }

  listenerInfo(): ListenerInfo[] {
    return this.listeners.map((l) => ({ name: l.config.name, address: l.address, port: l.port }));
  }

  /** Bound port of a listener by name (tests bind port 0). */
  listenerPort(name: string): number {
    const l = this.listeners.find((x) => x.config.name === name);
    if (l === undefined) throw new SkiffError('SKIFF_ERR_USAGE', `no listener named ${name}`);
    return l.port;
  }

  adminAddress(): { address: string; port: number } | null {
    return this.admin === null ? null : { address: this.admin.address, port: this.admin.port };
  }

  clusters(): readonly Cluster[] {
    return this.clusterManager.all();
  }

  config(): Bootstrap {
    return this.bootstrap;
  }

  /** Stops accepting, lets in-flight requests finish (bounded by each HCM's drain_timeout), closes everything. */
  stop(): Promise<void> {
    this.stopping ??= this.doStop();
    return this.stopping;
  }

  private async doStop(): Promise<void> {
    this.serverState = 'DRAINING';
    this.drain.draining = true;
    this.reloader?.stop();
    await Promise.all(this.listeners.map((l) => l.handle.close()));
    // Shadows outlive their streams, so the drain above did not bound them: end them now.
    this.shadows.close();
    // Spans of the drained requests are sent (bounded wait) while the collector cluster still exists.
    await this.tracing.close();
    // Pools wait for in-flight requests; the listeners' drain already bounded those, so cap this too.
    await withDeadline(this.clusterManager.close(), 5000);
    await this.sinks.closeAll();
    await Promise.all([...this.probes.values()].map((p) => p.close()));
    await this.admin?.close();
    this.opts.certificates?.close();
  }
}

function withDeadline(p: Promise<void>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    timer.unref();
    void p.finally(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

function sameAddress(a: ListenerConfig, b: ListenerConfig): boolean {
  return a.address.address === b.address.address && a.address.port === b.address.port;
}

function listen(server: Server, cfg: ListenerConfig): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      reject(
        new SkiffError(
          'SKIFF_ERR_LISTEN',
          `listener ${cfg.name}: cannot bind ${cfg.address.address}:${cfg.address.port}: ${err.code ?? err.message}`,
          { cause: err },
        ),
      );
    };
    server.once('error', onError);
    server.listen(cfg.address.port, cfg.address.address, () => {
      server.off('error', onError);
      resolve();
    });
  });
}
