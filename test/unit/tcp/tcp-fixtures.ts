/**
 * A fake tcp_proxy runtime for driving TcpSession directly: clusters whose hosts dial real
 * loopback sockets (or fail, or wait for the test) on demand, a FakeClock and FakeScheduler for
 * the session's one timer, and a recording observer and access logger.
 */

import { connect, createServer, type Server, type Socket } from 'node:net';
import type { AccessLogger } from '../../../lib/accesslog/access-logger.js';
import type { AccessLogRecord } from '../../../lib/accesslog/record.js';
import { ResourceManager } from '../../../lib/cluster/resource-manager.js';
import type {
  Cluster,
  Host,
  LoadBalancerContext,
  OutlierResult,
  PassiveHealthMonitor,
  RawConnectCallback,
} from '../../../lib/cluster/types.js';
import type { TcpProxyConfig } from '../../../lib/config/model.js';
import { Counter } from '../../../lib/stats/cells.js';
import type { NetworkRbacChain } from '../../../lib/tcp/network-rbac.js';
import type { TcpProxyRuntime } from '../../../lib/tcp/tcp-proxy-runtime.js';
import { serveTcp, type TcpSession } from '../../../lib/tcp/tcp-session.js';
import type { TcpObserverFactory, TcpSessionView } from '../../../lib/tcp/tcp-session-view.js';
import { WeightedClusterPicker } from '../../../lib/tcp/weighted-cluster-picker.js';
import type { DownstreamTlsInfo } from '../../../lib/tls/types.js';
import { FakeClock, FakeScheduler, fixedRandom } from '../../helpers/fake-time.js';
import { tcpProxyConfig } from '../../helpers/tcp.js';
import { clusterConfig, type FakeClusterStats, fakeClusterStats, fakeHost } from '../cluster/fixtures.js';

/** How a test host answers `connectRaw`. */
export type DialMode =
  | { readonly kind: 'port'; readonly port: number }
  | { readonly kind: 'fail' }
  /** The callback is kept in `held` for the test to complete. */
  | { readonly kind: 'hold' }
  | { readonly kind: 'custom'; readonly dial: (cb: RawConnectCallback) => void };

/** A host recording its outlier results and dials. */
export interface TestHost extends Host {
  mode: DialMode;
  readonly outcomes: OutlierResult[];
  dials: number;
  held: RawConnectCallback | null;
}

export function testHost(index: number, mode: DialMode): TestHost {
  const outcomes: OutlierResult[] = [];
  const outlier: PassiveHealthMonitor = {
    putHttpResponseCode: () => {},
    putResult: (r) => {
      outcomes.push(r);
    },
    uneject: () => {},
  };
  const h: TestHost = {
    ...fakeHost(index),
    outlier,
    outcomes,
    mode,
    dials: 0,
    held: null,
    connectRaw(cb) {
      this.dials++;
      const m = this.mode;
      if (m.kind === 'fail') {
        const err = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
        setImmediate(() => cb(err, null));
      } else if (m.kind === 'hold') this.held = cb;
      else if (m.kind === 'custom') m.dial(cb);
      else dialLoopback(m.port, cb);
    },
  };
  return h;
}

/** Dials 127.0.0.1:`port` as Host.connectRaw does (half-open allowed). */
export function dialLoopback(port: number, cb: RawConnectCallback): void {
  const s = connect({ host: '127.0.0.1', port, allowHalfOpen: true });
  const onError = (e: Error): void => cb(e, null);
  s.once('error', onError);
  s.once('connect', () => {
    s.off('error', onError);
    cb(null, s);
  });
}

/** A cluster over test hosts: first host not excluded (else the first), breakers from `maxConnections`. */
export class TestCluster implements Cluster {
  readonly config = clusterConfig();
  readonly stats: FakeClusterStats = fakeClusterStats();
  readonly rm: ResourceManager;

  constructor(
    readonly name: string,
    readonly list: TestHost[],
    maxConnections = 1024,
  ) {
    this.rm = new ResourceManager({
      maxConnections,
      maxPendingRequests: 1024,
      maxRequests: 1024,
      maxRetries: 3,
    });
  }

  chooseHost(ctx: LoadBalancerContext): Host | null {
    if (this.list.length === 0) {
      this.stats.upstreamCxNoneHealthy.inc();
      return null;
    }
    return this.list.find((h) => ctx.excluded === null || !ctx.excluded.has(h)) ?? this.list[0]!;
  }
  hosts(): readonly Host[] {
    return this.list;
  }
  resources(): ResourceManager {
    return this.rm;
  }
  ready(): Promise<void> {
    return Promise.resolve();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
  onImmediateHealthCheckFail(): void {}
}

/** Observer events in order, with the view's peer at the time `opened` ran. */
export interface ObserverLog {
  readonly events: string[];
  peerAtOpen: string | null;
  hostAtOpen: string | null;
}

/** An observer factory recording `opened`/`closed`; `preamble` turns the metadata exchange on. */
export function recordingObservers(preamble?: Buffer): TcpObserverFactory & { readonly log: ObserverLog } {
  const log: ObserverLog = { events: [], peerAtOpen: null, hostAtOpen: null };
  return {
    log,
    ...(preamble === undefined ? {} : { exchangePreamble: preamble }),
    observe(view: TcpSessionView) {
      return {
        opened() {
          log.events.push('opened');
          log.peerAtOpen = view.istioPeer?.workload ?? null;
          log.hostAtOpen = view.upstreamHost;
        },
        closed() {
          log.events.push('closed');
        },
      };
    },
  };
}

/** A field-for-field copy of what the access log read at close. */
export type LoggedRecord = Pick<
  AccessLogRecord,
  | 'bytesReceived'
  | 'bytesSent'
  | 'upstreamHost'
  | 'upstreamCluster'
  | 'responseFlags'
  | 'durationMs'
  | 'downstreamRemoteAddress'
  | 'upstreamLocalAddress'
  | 'upstreamTransportFailureReason'
>;

function recordingLogger(out: LoggedRecord[]): AccessLogger {
  const write = (r: AccessLogRecord): void => {
    out.push({
      bytesReceived: r.bytesReceived,
      bytesSent: r.bytesSent,
      upstreamHost: r.upstreamHost,
      upstreamCluster: r.upstreamCluster,
      responseFlags: r.responseFlags,
      durationMs: r.durationMs,
      downstreamRemoteAddress: r.downstreamRemoteAddress,
      upstreamLocalAddress: r.upstreamLocalAddress,
      upstreamTransportFailureReason: r.upstreamTransportFailureReason,
    });
  };
  return Object.assign(write, { release: () => Promise.resolve() });
}

/** tcp.<prefix>.* cells the tests read. */
export interface TestTcpStats {
  readonly downstreamCxTotal: Counter;
  readonly downstreamCxNoRoute: Counter;
  readonly downstreamCxRxBytesTotal: Counter;
  readonly downstreamCxTxBytesTotal: Counter;
  readonly idleTimeout: Counter;
  readonly maxDownstreamConnectionDuration: Counter;
}

/** A runtime, its fakes, and a loopback listener serving every accepted socket with it. */
export interface Harness {
  readonly rt: TcpProxyRuntime;
  readonly clock: FakeClock;
  readonly scheduler: FakeScheduler;
  readonly stats: TestTcpStats;
  readonly logged: LoggedRecord[];
  readonly sessions: TcpSession[];
  /** The proxy side of each accepted downstream connection, same order as `sessions`. */
  readonly downs: Socket[];
  readonly port: number;
  close(): Promise<void>;
}

export interface HarnessOptions {
  readonly clusters: readonly TestCluster[];
  readonly config?: Partial<TcpProxyConfig>;
  readonly observers?: TcpObserverFactory;
  readonly bufferLimitBytes?: number;
  /** The downstream TLS facts handed to each session (a plaintext socket pretending). */
  readonly downstreamTls?: DownstreamTlsInfo;
  /** Network RBAC filters before the tcp_proxy (compiled against `rbacStats`). */
  readonly networkRbac?: NetworkRbacChain;
}

export async function harness(o: HarnessOptions): Promise<Harness> {
  const clock = new FakeClock(1_000);
  const scheduler = new FakeScheduler();
  const stats: TestTcpStats = {
    downstreamCxTotal: new Counter(),
    downstreamCxNoRoute: new Counter(),
    downstreamCxRxBytesTotal: new Counter(),
    downstreamCxTxBytesTotal: new Counter(),
    idleTimeout: new Counter(),
    maxDownstreamConnectionDuration: new Counter(),
  };
  const logged: LoggedRecord[] = [];
  const byName = new Map(o.clusters.map((c) => [c.name, c] as const));
  const config = tcpProxyConfig(o.config);
  const rt: TcpProxyRuntime = {
    kind: 'tcp',
    config,
    stats,
    picker: new WeightedClusterPicker(config.clusters, fixedRandom(0)),
    accessLog: recordingLogger(logged),
    clusters: { get: (n) => byName.get(n) },
    clock,
    scheduler,
    observers: o.observers ?? null,
    bufferLimitBytes: o.bufferLimitBytes ?? 1024 * 1024,
    drainTimeoutMs: 5000,
    networkRbac: o.networkRbac ?? null,
  };
  const sessions: TcpSession[] = [];
  const downs: Socket[] = [];
  const open = new Set<Socket>();
  const server: Server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, (s) => {
    open.add(s);
    s.once('close', () => open.delete(s));
    downs.push(s);
    sessions.push(serveTcp(rt, s, o.downstreamTls ?? null));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    rt,
    clock,
    scheduler,
    stats,
    logged,
    sessions,
    downs,
    port,
    close: () =>
      new Promise<void>((r) => {
        for (const s of open) s.destroy();
        server.close(() => r());
      }),
  };
}

/** Polls until `cond` holds; every wait is bounded. */
export async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
