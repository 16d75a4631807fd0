import type { buildConnector as BuildConnector, Client, Dispatcher } from 'undici';
import type { HealthStatus } from '../config/model.js';
import type { ClusterStats } from '../stats/types.js';
import { HostPool } from '../upstream/host-pool.js';
import { formatAuthority } from '../upstream/socket-address.js';
import type { TlsTransport } from '../upstream/tls-transport.js';
import { buildConnector } from '../upstream/undici-core.js';
import type { ResourceManager } from './resource-manager.js';
import {
  type Cluster,
  HealthFlag,
  type Host,
  type HostCounters,
  NO_PASSIVE_HEALTH,
  type PassiveHealthMonitor,
  type RawConnectCallback,
} from './types.js';

/** Any of these makes a host unusable; DegradedEdsHealth and the pending flags do not. */
const UNUSABLE = HealthFlag.FailedActiveHc | HealthFlag.FailedOutlierCheck | HealthFlag.FailedEdsHealth;

/** Everything a host is built from: the endpoint's attributes plus its cluster's pool settings. */
export interface HostInit {
  readonly cluster: Cluster;
  readonly address: string;
  readonly port: number;
  readonly hostname: string;
  readonly weight: number;
  readonly priority: number;
  readonly labels: Readonly<Record<string, string>>;
  readonly locality: { readonly region: string; readonly zone: string; readonly subZone: string };
  readonly edsHealthStatus: HealthStatus;
  readonly stats: ClusterStats;
  /** Options of each connection's undici Client (lib/upstream/pool-options.ts). */
  readonly poolOptions: Client.Options;
  /** 0 = unlimited. */
  readonly maxRequestsPerConnection: number;
  /** The cluster's circuit breakers the pool enforces. */
  readonly resources: ResourceManager;
  /**
   * LOGICAL_DNS: the pool keeps its connections when the name re-resolves; only new connections
   * go to the new address (Envoy's logical host).
   */
  readonly logical: boolean;
  /** TLS for this host's connections (chosen once from the endpoint's labels); absent = plaintext. */
  readonly transport?: TlsTransport | null;
}

export function edsHealthFlags(status: HealthStatus): number {
  switch (status) {
    case 'UNHEALTHY':
    case 'DRAINING':
    case 'TIMEOUT':
      return HealthFlag.FailedEdsHealth;
    case 'DEGRADED':
      return HealthFlag.DegradedEdsHealth;
    default:
      return 0;
  }
}

function newCounters(): HostCounters {
  return {
    activeRequests: 0,
    rqTotal: 0,
    rqSuccess: 0,
    rqError: 0,
    rqTimeout: 0,
    cxTotal: 0,
    cxActive: 0,
    cxConnectFail: 0,
  };
}

/** A cluster member owning one lazily created HostPool and its connection counters. */
export class HostImpl implements Host {
  readonly cluster: Cluster;
  address: string;
  readonly port: number;
  authority: string;
  readonly hostname: string;
  readonly weight: number;
  readonly priority: number;
  readonly labels: Readonly<Record<string, string>>;
  readonly locality: { readonly region: string; readonly zone: string; readonly subZone: string };
  healthFlags: number;
  readonly edsHealthStatus: HealthStatus;
  readonly counters: HostCounters = newCounters();
  /** Replaced by the cluster's outlier detector when it has one. */
  outlier: PassiveHealthMonitor = NO_PASSIVE_HEALTH;
  lastHcPassTimeMs: number | undefined = undefined;
  private readonly stats: ClusterStats;
  private readonly options: Client.Options;
  private readonly maxRequestsPerConnection: number;
  private readonly resources: ResourceManager;
  private readonly logical: boolean;
  private readonly transport: TlsTransport | null;
  private pool: HostPool | null = null;
  private closed = false;
  /** The plaintext dialer of connectRaw, built on first use. */
  private rawConnector: BuildConnector.connector | null = null;

  constructor(init: HostInit) {
    this.cluster = init.cluster;
    this.address = init.address;
    this.port = init.port;
    this.authority = formatAuthority(init.address, init.port);
    this.hostname = init.hostname;
    this.weight = init.weight;
    this.priority = init.priority;
    this.labels = init.labels;
    this.locality = init.locality;
    this.edsHealthStatus = init.edsHealthStatus;
    this.healthFlags = edsHealthFlags(init.edsHealthStatus);
    this.stats = init.stats;
    this.options = init.poolOptions;
    this.maxRequestsPerConnection = init.maxRequestsPerConnection;
    this.resources = init.resources;
    this.logical = init.logical;
    this.transport = init.transport ?? null;
  }

  /** True when connections to this host use TLS. */
  get tls(): boolean {
    return this.transport !== null;
  }

  healthy(): boolean {
    return (this.healthFlags & UNUSABLE) === 0;
  }

  dispatcher(): Dispatcher {
    return this.pool ?? this.createPool();
  }

  connectRaw(cb: RawConnectCallback): void {
    const timeoutMs = this.options.connectTimeout ?? 5000;
    let connect: BuildConnector.connector;
    if (this.transport !== null) connect = this.transport.connector(timeoutMs);
    else {
      const connectOpt = this.options.connect;
      this.rawConnector ??= buildConnector(typeof connectOpt === 'object' ? connectOpt : {});
      connect = this.rawConnector;
    }
    const opts = { hostname: this.address, host: this.authority, protocol: 'http:', port: String(this.port) };
    connect(opts, (err, socket) => {
      // undici leaves the socket undefined on failure, whatever its types say.
      const s = err === null ? (socket ?? null) : null;
      // A proxied byte stream forwards each FIN on its own (Node ends the write side by default).
      if (s !== null) s.allowHalfOpen = true;
      cb(err, s);
    });
  }

  /** LOGICAL_DNS re-resolution: later connections dial `address`; open ones are kept. */
  repoint(address: string): void {
    this.address = address;
    this.authority = formatAuthority(address, this.port);
  }

  /** Lets in-flight requests finish, then closes every connection. Idempotent. */
  async close(): Promise<void> {
    const first = !this.closed;
    this.closed = true;
    const pool = this.pool;
    if (pool === null) return;
    // The pool stops counting against max_connection_pools once its host is retired.
    if (first) this.resources.connectionPools.dec();
    if (pool.closed) return;
    await pool.close();
  }

  private createPool(): HostPool {
    const connectOpt = this.options.connect;
    const base =
      this.transport === null
        ? buildConnector(typeof connectOpt === 'object' ? connectOpt : {})
        : this.transport.connector(this.options.connectTimeout ?? 5000);
    // LOGICAL_DNS: read the address at dial time so a re-resolved name applies to new
    // connections only.
    const connector: BuildConnector.connector = this.logical
      ? (opts, cb) => base({ ...opts, hostname: this.address }, cb)
      : base;
    const rm = this.resources;
    const pool = new HostPool({
      origin: `http://${this.authority}`,
      connector,
      clientOptions: this.options,
      maxRequestsPerConnection: this.maxRequestsPerConnection,
      resources: rm,
      stats: this.stats,
      counters: this.counters,
    });
    rm.connectionPools.inc();
    this.pool = pool;
    // A pick racing a removal still gets a pool; the caller dispatches synchronously after
    // dispatcher() returns, so close on the next microtask and let that request finish.
    if (this.closed) {
      rm.connectionPools.dec();
      queueMicrotask(() => void pool.close());
    }
    return pool;
  }
}
