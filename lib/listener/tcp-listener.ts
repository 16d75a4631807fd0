/**
 * A listener whose only chain is a plaintext tcp_proxy with no listener filters: a net.Server
 * hands each connection straight to a TCP session, without sniffing, so protocols where the
 * server speaks first (MySQL, SMTP) work. Sessions keep the runtime they started with.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { ListenerConfig } from '../config/model.js';
import { drainSockets } from '../server/drain.js';
import type { ListenerStats } from '../stats/types.js';
import type { TcpProxyRuntime } from '../tcp/tcp-proxy-runtime.js';
import { serveTcp } from '../tcp/tcp-session.js';
import type { TlsConnectionDetails } from './tls-details.js';

/** Hands a connection to a TCP session, counted on the listener (an HTTP server counts its own). */
export function serveCountedTcp(
  rt: TcpProxyRuntime,
  socket: Socket,
  tls: TlsConnectionDetails | null,
  stats: ListenerStats,
): void {
  stats.downstreamCxTotal.inc();
  stats.downstreamCxActive.inc();
  socket.once('close', () => stats.downstreamCxActive.dec());
  serveTcp(rt, socket, tls);
}

/** Serves one plaintext tcp_proxy chain; `accepts` decides whether a config keeps this shape. */
export class TcpPlainListener {
  readonly server: Server;
  private runtime: TcpProxyRuntime;
  private readonly open = new Set<Socket>();

  constructor(runtime: TcpProxyRuntime, stats: ListenerStats) {
    this.runtime = runtime;
    this.server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, (socket) => {
      this.open.add(socket);
      socket.once('close', () => this.open.delete(socket));
      serveCountedTcp(this.runtime, socket, null, stats);
    });
  }

  update(runtime: TcpProxyRuntime): void {
    this.runtime = runtime;
  }

  /** Stops accepting; open sessions run on until the drain deadline, then are closed. */
  close(_cfg?: ListenerConfig): Promise<void> {
    if (this.server.listening) this.server.close();
    // TCP sessions have no idle point to close at.
    return drainSockets(this.open, this.runtime.drainTimeoutMs, null);
  }
}
