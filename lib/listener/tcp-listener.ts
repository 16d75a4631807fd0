/**
 * A listener whose only chain is a plaintext tcp_proxy with no listener filters: a net.Server
 * hands each connection straight to a TCP session, without sniffing, so protocols where the
 * server speaks first (MySQL, SMTP) work. Sessions keep the runtime they started with.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { ListenerConfig } from '../config/model.js';
import type { ListenerStats } from '../stats/types.js';
import type { TcpProxyRuntime } from '../tcp/tcp-proxy-runtime.js';
import { serveTcp } from '../tcp/tcp-session.js';

/** Serves one plaintext tcp_proxy chain; `accepts` decides whether a config keeps this shape. */
export class TcpPlainListener {
  readonly server: Server;
  private runtime: TcpProxyRuntime;
  private readonly open = new Set<Socket>();

  constructor(runtime: TcpProxyRuntime, stats: ListenerStats) {
    this.runtime = runtime;
    this.server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, (socket) => {
      stats.downstreamCxTotal.inc();
      stats.downstreamCxActive.inc();
      this.open.add(socket);
      socket.once('close', () => {
        stats.downstreamCxActive.dec();
        this.open.delete(socket);
      });
      serveTcp(this.runtime, socket, null);
    });
  }

  update(runtime: TcpProxyRuntime): void {
    this.runtime = runtime;
  }

  /** Stops accepting; open sessions run on until the drain deadline, then are closed. */
  close(_cfg?: ListenerConfig): Promise<void> {
    return new Promise((resolve) => {
      if (this.server.listening) this.server.close();
      if (this.open.size === 0) {
        resolve();
        return;
      }
      const finish = (): void => {
        clearInterval(sweep);
        clearTimeout(deadline);
        resolve();
      };
      const sweep = setInterval(() => {
        if (this.open.size === 0) finish();
      }, 50);
      const deadline = setTimeout(() => {
        for (const s of this.open) s.destroy();
        finish();
      }, this.runtime.drainTimeoutMs);
      sweep.unref();
      deadline.unref();
    });
  }
}
