/**
 * A listener that inspects each connection before choosing a filter chain (Envoy's listener
 * filters + filter chain match): the first bytes say `tls` or `raw_buffer`, the first chain whose
 * `transport_protocol` fits wins (none → the connection is closed), TLS chains terminate TLS,
 * and the chain's own HTTP connection manager takes the connection. Each chain has its own
 * runtime, swapped on reload like a plain listener's.
 */
import type { Server as HttpServer } from 'node:http';
import { createServer, type Server as NetServer, type Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { isDeepStrictEqual } from 'node:util';
import type { FilterChainConfig, ListenerConfig } from '../config/model.js';
import { createConnectionManager, isIdleConnection } from '../http/connection-manager.js';
import type { HcmRuntime } from '../http/hcm-runtime.js';
import { drainSockets } from '../server/drain.js';
import { isTcpRuntime } from '../tcp/tcp-proxy-runtime.js';
import {
  type ChainRuntime,
  type ListenerDeps,
  needsSniffing,
  type ServingListener,
} from './serving-listener.js';
import { serveCountedTcp } from './tcp-listener.js';
import { kTlsDetails, type TlsConnectionDetails, type TlsTaggedSocket } from './tls-details.js';
import { TlsTerminator } from './tls-terminator.js';
import { detectTransport, type TransportProtocol } from './transport-sniffer.js';

/** Envoy's `listener_filters_timeout` default. */
export const DEFAULT_LISTENER_FILTERS_TIMEOUT_MS = 15_000;

const ignoreError = (): void => {};

/** One filter chain at run time. */
class ChainSlot {
  runtime: ChainRuntime;
  /** The chain's HTTP server; null for a tcp_proxy chain. */
  readonly http: HttpServer | null;
  readonly tls: TlsTerminator | null;
  /** Connections handed to this chain's HTTP server and still open. */
  private readonly sockets = new Set<Socket>();

  constructor(
    readonly config: FilterChainConfig,
    runtime: ChainRuntime,
    private readonly deps: ListenerDeps,
  ) {
    this.runtime = runtime;
    // A slot's kind follows its config, and update() only swaps runtimes of the same kind.
    this.http = isTcpRuntime(runtime)
      ? null
      : createConnectionManager(() => this.runtime as HcmRuntime, deps.stats, deps.drain);
    this.tls =
      config.tls === undefined
        ? null
        : new TlsTerminator(
            config.tls,
            deps.certificates,
            deps.log,
            (s, d) => this.serveTls(s, d),
            config.tcpProxy !== undefined,
          );
  }

  matches(proto: TransportProtocol): boolean {
    const want = this.config.match?.transportProtocol ?? null;
    return want === null || want === proto;
  }

  serve(socket: Socket): void {
    if (this.tls !== null) {
      this.tls.handle(socket);
      return;
    }
    this.track(socket);
    if (this.http === null) {
      this.serveTcp(socket, null);
      return;
    }
    this.http.emit('connection', socket);
    // The sniffed bytes sit in the socket's JS buffer, which Node's HTTP parser skips when it
    // reads the handle directly; a 'data' listener makes it take the buffered path instead.
    socket.on('data', ignoreError);
    socket.resume();
  }

  private serveTls(socket: TLSSocket, details: TlsConnectionDetails): void {
    (socket as TLSSocket & TlsTaggedSocket)[kTlsDetails] = details;
    this.track(socket);
    if (this.http === null) this.serveTcp(socket, details);
    else this.http.emit('connection', socket);
  }

  private serveTcp(socket: Socket, details: TlsConnectionDetails | null): void {
    const rt = this.runtime;
    if (isTcpRuntime(rt)) serveCountedTcp(rt, socket, details, this.deps.stats);
  }

  /**
   * Idle keep-alive connections close now and as they become idle; the rest at the deadline.
   * (Node's closeIdleConnections() only tracks servers that listen themselves.) TCP sessions
   * have no idle point to close at: they run on until the deadline.
   */
  drain(): Promise<void> {
    const rt = this.runtime;
    const done = isTcpRuntime(rt)
      ? drainSockets(this.sockets, rt.drainTimeoutMs, null)
      : drainSockets(this.sockets, rt.config.drainTimeoutMs, isIdleConnection);
    return done.then(() => this.tls?.close());
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }
}

/** A listener that sniffs, matches a filter chain and hands the connection over. */
export class SniffingListener implements ServingListener {
  readonly server: NetServer;
  private chains: ChainSlot[];
  private config: ListenerConfig;
  private readonly open = new Set<Socket>();

  constructor(
    cfg: ListenerConfig,
    runtimes: readonly ChainRuntime[],
    private readonly deps: ListenerDeps,
  ) {
    this.config = cfg;
    this.chains = cfg.filterChains.map((c, i) => new ChainSlot(c, runtimeAt(runtimes, i), deps));
    // Half-open so a tcp_proxy chain can forward each FIN; Node's HTTP server handles its own.
    this.server = createServer({ allowHalfOpen: true }, (s) => this.onConnection(s));
  }

  accepts(cfg: ListenerConfig): boolean {
    return needsSniffing(cfg);
  }

  update(cfg: ListenerConfig, runtimes: readonly ChainRuntime[]): void {
    const same =
      cfg.filterChains.length === this.chains.length &&
      cfg.filterChains.every(
        (c, i) =>
          isDeepStrictEqual(c.match, this.chains[i]?.config.match) &&
          isDeepStrictEqual(c.tls, this.chains[i]?.config.tls) &&
          (c.hcm === undefined) === (this.chains[i]?.config.hcm === undefined),
      );
    this.config = cfg;
    if (same) {
      this.chains.forEach((c, i) => {
        c.runtime = runtimeAt(runtimes, i);
      });
      return;
    }
    // Matching or TLS changed: new connections get new chains, open ones finish on the old.
    const old = this.chains;
    this.chains = cfg.filterChains.map((c, i) => new ChainSlot(c, runtimeAt(runtimes, i), this.deps));
    for (const c of old) void c.drain();
  }

  close(): Promise<void> {
    // Not waiting for the close callback: sockets a TLS wrap took over never report back to it.
    if (this.server.listening) this.server.close();
    // Connections still being sniffed have no chain yet: nothing to finish, so cut them.
    for (const s of this.open) s.destroy();
    return Promise.all(this.chains.map((c) => c.drain())).then(() => undefined);
  }

  private onConnection(socket: Socket): void {
    // Errors before a chain owns the socket (and after a TLS wrap abandons it) must not throw.
    socket.on('error', ignoreError);
    socket.setNoDelay(true);
    this.open.add(socket);
    const timeout = this.config.listenerFiltersTimeoutMs ?? DEFAULT_LISTENER_FILTERS_TIMEOUT_MS;
    detectTransport(socket, timeout, (proto) => {
      this.open.delete(socket);
      if (proto === null) {
        socket.destroy();
        return;
      }
      const chain = this.chains.find((c) => c.matches(proto));
      if (chain === undefined) {
        socket.destroy();
        return;
      }
      chain.serve(socket);
    });
  }
}

function runtimeAt(runtimes: readonly ChainRuntime[], i: number): ChainRuntime {
  const rt = runtimes[i];
  if (rt === undefined) throw new Error(`no runtime for filter chain ${i}`);
  return rt;
}
