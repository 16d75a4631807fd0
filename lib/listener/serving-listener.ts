/**
 * A bound listener as the server sees it: either the plain path (one plaintext chain, no
 * listener filters: Node's HTTP server accepts directly, nothing extra per connection) or the
 * sniffing path (lib/listener/sniffing-listener.ts) for TLS and several filter chains.
 */
import type { Server as HttpServer } from 'node:http';
import type { Server as NetServer } from 'node:net';
import type { ListenerConfig } from '../config/model.js';
import { createConnectionManager, type DrainState } from '../http/connection-manager.js';
import type { HcmRuntime } from '../http/hcm-runtime.js';
import { closeServerGracefully } from '../server/drain.js';
import type { ListenerStats } from '../stats/types.js';
import { isTcpRuntime, type TcpProxyRuntime } from '../tcp/tcp-proxy-runtime.js';
import type { CertificateProvider } from '../tls/types.js';
import type { Logger } from '../util/logger.js';
import { SniffingListener } from './sniffing-listener.js';
import { TcpPlainListener } from './tcp-listener.js';

/** The runtime of one filter chain: its HTTP connection manager's or its tcp_proxy's. */
export type ChainRuntime = HcmRuntime | TcpProxyRuntime;

/** What a listener needs from the server that owns it. */
export interface ListenerDeps {
  readonly stats: ListenerStats;
  readonly drain: DrainState;
  readonly certificates: CertificateProvider | null;
  readonly log: Logger;
}

/** A listener's bound server and its per-chain runtimes. */
export interface ServingListener {
  /** The socket server to bind. */
  readonly server: NetServer;
  /** True when this listener's shape (plain vs sniffing) can serve `cfg`. */
  accepts(cfg: ListenerConfig): boolean;
  /** New config for the same address: per-chain runtimes swap under open connections. */
  update(cfg: ListenerConfig, runtimes: readonly ChainRuntime[]): void;
  /** Stops accepting and drains open connections (bounded by each HCM's drain_timeout). */
  close(): Promise<void>;
}

/** True when connections must be inspected before a filter chain is chosen. */
export function needsSniffing(cfg: ListenerConfig): boolean {
  return (
    cfg.filterChains.length > 1 ||
    cfg.filterChains.some((c) => c.tls !== undefined || c.match !== undefined) ||
    (cfg.listenerFilters?.length ?? 0) > 0
  );
}

class PlainListener implements ServingListener {
  readonly server: HttpServer;
  private runtime: HcmRuntime;

  constructor(runtime: HcmRuntime, deps: ListenerDeps) {
    this.runtime = runtime;
    // The runtime is read per request, so a reload swaps it under open connections too.
    this.server = createConnectionManager(() => this.runtime, deps.stats, deps.drain);
  }

  accepts(cfg: ListenerConfig): boolean {
    return !needsSniffing(cfg) && cfg.filterChains[0]?.hcm !== undefined;
  }

  update(_cfg: ListenerConfig, runtimes: readonly ChainRuntime[]): void {
    const rt = runtimes[0];
    if (rt !== undefined && !isTcpRuntime(rt)) this.runtime = rt;
  }

  close(): Promise<void> {
    return closeServerGracefully(this.server, this.runtime.config.drainTimeoutMs);
  }
}

/** A plaintext tcp_proxy listener without listener filters: accepts directly, never sniffs. */
class PlainTcpListener implements ServingListener {
  private readonly inner: TcpPlainListener;

  constructor(runtime: TcpProxyRuntime, deps: ListenerDeps) {
    this.inner = new TcpPlainListener(runtime, deps.stats);
  }

  get server(): NetServer {
    return this.inner.server;
  }

  accepts(cfg: ListenerConfig): boolean {
    return !needsSniffing(cfg) && cfg.filterChains[0]?.tcpProxy !== undefined;
  }

  update(_cfg: ListenerConfig, runtimes: readonly ChainRuntime[]): void {
    const rt = runtimes[0];
    if (rt !== undefined && isTcpRuntime(rt)) this.inner.update(rt);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

/** Builds the listener for `cfg` with one runtime per filter chain (same order). */
export function createServingListener(
  cfg: ListenerConfig,
  runtimes: readonly ChainRuntime[],
  deps: ListenerDeps,
): ServingListener {
  if (!needsSniffing(cfg)) {
    const rt = runtimes[0];
    if (rt === undefined) throw new Error(`listener ${cfg.name} has no filter chain`);
    return isTcpRuntime(rt) ? new PlainTcpListener(rt, deps) : new PlainListener(rt, deps);
  }
  return new SniffingListener(cfg, runtimes, deps);
}
