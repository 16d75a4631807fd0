import type { Dispatcher, Pool } from 'undici';
import type { HealthStatus } from '../config/model.js';
import type { ClusterStats } from '../stats/types.js';
import { buildConnector, Pool as UndiciPool } from '../upstream/undici-core.js';
import {
  type Cluster,
  HealthFlag,
  type Host,
  type HostCounters,
  NO_PASSIVE_HEALTH,
  type PassiveHealthMonitor,
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
  readonly poolOptions: Pool.Options;
  /**
   * LOGICAL_DNS: the pool keeps its connections when the name re-resolves; only new connections
   * go to the new address (Envoy's logical host).
   */
  readonly logical: boolean;
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

export function formatAuthority(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
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

function errorCode(err: unknown): unknown {
  return typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
}

/** A cluster member owning one lazily created undici Pool and its connection counters. */
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
  private readonly options: Pool.Options;
  private readonly logical: boolean;
  private pool: Pool | null = null;
  private closed = false;

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
    this.logical = init.logical;
  }

  healthy(): boolean {
    return (this.healthFlags & UNUSABLE) === 0;
  }

  dispatcher(): Dispatcher {
    return this.pool ?? this.createPool();
  }

  /** LOGICAL_DNS re-resolution: later connections dial `address`; open ones are kept. */
  repoint(address: string): void {
    this.address = address;
    this.authority = formatAuthority(address, this.port);
  }

  /** Lets in-flight requests finish, then closes every connection. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    const pool = this.pool;
    if (pool === null || pool.closed) return;
    await pool.close();
  }

  private createPool(): Pool {
    let options = this.options;
    if (this.logical) {
      const connectOpt = options.connect;
      const base = buildConnector(typeof connectOpt === 'object' ? connectOpt : {});
      // Read the address at dial time so a re-resolved name applies to new connections only.
      options = { ...options, connect: (opts, cb) => base({ ...opts, hostname: this.address }, cb) };
    }
    const pool = new UndiciPool(`http://${this.authority}`, options);
    const c = this.counters;
    const s = this.stats;
    pool.on('connect', () => {
      c.cxTotal++;
      c.cxActive++;
      s.upstreamCxTotal.inc();
      s.upstreamCxActive.inc();
    });
    pool.on('disconnect', () => {
      c.cxActive--;
      s.upstreamCxActive.dec();
    });
    pool.on('connectionError', (_origin, _targets, err) => {
      c.cxConnectFail++;
      s.upstreamCxConnectFail.inc();
      if (errorCode(err) === 'UND_ERR_CONNECT_TIMEOUT') s.upstreamCxConnectTimeout.inc();
    });
    this.pool = pool;
    // A pick racing a removal still gets a pool; the caller dispatches synchronously after
    // dispatcher() returns, so close on the next microtask and let that request finish.
    if (this.closed) queueMicrotask(() => void pool.close());
    return pool;
  }
}
