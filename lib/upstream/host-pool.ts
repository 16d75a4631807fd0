import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import type { buildConnector, Client, Dispatcher } from 'undici';
import type { ResourceManager } from '../cluster/resource-manager.js';
import type { HostCounters } from '../cluster/types.js';
import type { ClusterStats } from '../stats/types.js';
import { countConnectFailure, countConnectionClosed, countConnectionOpened } from './connection-stats.js';
import { type ConnectionOwner, PooledConnection } from './pooled-connection.js';
import { socketAddress } from './socket-address.js';
import { upstreamTlsIdentity } from './tls-identity.js';
import { UndiciDispatcher } from './undici-core.js';
import { UpstreamOverflowError } from './upstream-errors.js';

/** Everything one host's pool is built from. */
export interface HostPoolInit {
  /** `http://address:port`, the origin every request names. */
  readonly origin: string;
  /** Dials one TCP connection (connect timeout applied; LOGICAL_DNS reads its current address). */
  readonly connector: buildConnector.connector;
  /** Options of each connection's undici Client (pipelining 1, keep-alive, header limits). */
  readonly clientOptions: Client.Options;
  /** 0 = unlimited. */
  readonly maxRequestsPerConnection: number;
  /** The cluster's breakers (DEFAULT priority: routes' priority is not decoded). */
  readonly resources: ResourceManager;
  readonly stats: ClusterStats;
  readonly counters: HostCounters;
}

class PoolClosedError extends Error {
  readonly code = 'UND_ERR_CLOSED';
}

/**
 * One host's HTTP/1 connection pool with Envoy's circuit-breaker semantics. A request takes an
 * idle connection; else it waits as pending (if max_pending_requests allows, else it overflows)
 * and a connection is opened for it if the cluster's max_connections allows (a host with no
 * connection may always open one, as in Envoy). max_requests is checked when a request would
 * start. Waiting requests are kept in order; the first connection that comes up or frees up
 * serves the oldest. A failed connect fails one waiting request, the one it was opened for.
 * Emits undici Pool's `connect` / `disconnect` / `connectionError` events.
 */
export class HostPool extends UndiciDispatcher implements ConnectionOwner {
  private readonly init: HostPoolInit;
  private readonly connectOpts: buildConnector.Options;
  private readonly url: URL;
  private readonly idle: PooledConnection[] = [];
  /** Pending requests, oldest first: options and handlers in parallel arrays (no entry objects). */
  private readonly queuedOpts: Dispatcher.DispatchOptions[] = [];
  private readonly queuedHandlers: Dispatcher.DispatchHandler[] = [];
  /** Connections not retired (connecting, idle or busy). */
  private total = 0;
  private connecting = 0;
  private closing = false;
  private closedResolve: (() => void) | null = null;
  private closedPromise: Promise<void> | null = null;
  /** Connections retired while closing; close() resolves once their sockets are gone. */
  private readonly draining: Promise<void>[] = [];

  constructor(init: HostPoolInit) {
    super();
    this.init = init;
    const url = new URL(init.origin);
    this.url = url;
    this.connectOpts = {
      hostname: url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname,
      host: url.host,
      protocol: url.protocol,
      port: url.port,
    };
  }

  get closed(): boolean {
    return this.closing;
  }

  /** Requests waiting for a connection. */
  get pending(): number {
    return this.queuedHandlers.length;
  }

  /** Connections counted against max_connections (connecting, idle or busy). */
  get connections(): number {
    return this.total;
  }

  override dispatch(opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    if (this.closing) {
      handler.onError?.(new PoolClosedError('the host pool is closed'));
      return false;
    }
    const rm = this.init.resources;
    // Skiff checks max_requests before queueing too, so an overflow is answered at once.
    if (!rm.requests.canCreate()) return this.overflow(handler);
    const conn = this.idle.pop();
    if (conn !== undefined) {
      this.start(conn, opts, handler);
      return true;
    }
    if (!rm.pendingRequests.canCreate()) return this.overflow(handler);
    rm.pendingRequests.inc();
    this.init.stats.upstreamRqPendingTotal.inc();
    this.init.stats.upstreamRqPendingActive.inc();
    this.queuedOpts.push(opts);
    this.queuedHandlers.push(handler);
    this.openForQueue();
    return true;
  }

  /** Takes a request out of the pending queue (aborted before it got a connection). */
  cancel(handler: Dispatcher.DispatchHandler): boolean {
    const i = this.queuedHandlers.indexOf(handler);
    if (i < 0) return false;
    this.queuedHandlers.splice(i, 1);
    this.queuedOpts.splice(i, 1);
    this.leavePending();
    this.init.stats.upstreamRqCancelled.inc();
    this.checkClosed();
    return true;
  }

  /** Lets running and pending requests finish, then closes every connection. */
  override close(): Promise<void>;
  override close(callback: () => void): void;
  override close(callback?: () => void): Promise<void> | undefined {
    if (!this.closing) {
      this.closing = true;
      this.closedPromise = new Promise((resolve) => {
        this.closedResolve = resolve;
      });
      for (const conn of this.idle.splice(0)) this.retire(conn, false);
      this.checkClosed();
    }
    const p = this.closedPromise!;
    if (callback === undefined) return p;
    void p.then(callback);
    return undefined;
  }

  /** Closes every connection now; pending requests fail. */
  override destroy(): Promise<void>;
  override destroy(err: Error | null): Promise<void>;
  override destroy(callback: () => void): void;
  override destroy(err: Error | null, callback: () => void): void;
  override destroy(a?: Error | null | (() => void), b?: () => void): Promise<void> | undefined {
    const err =
      typeof a === 'function' || a === undefined || a === null ? new PoolClosedError('destroyed') : a;
    const callback = typeof a === 'function' ? a : b;
    const handlers = this.queuedHandlers.splice(0);
    this.queuedOpts.length = 0;
    for (const h of handlers) {
      this.leavePending();
      h.onError?.(err);
    }
    for (const conn of this.idle.splice(0)) this.retire(conn, true);
    const p = this.close();
    if (callback === undefined) return p;
    void p.then(callback);
    return undefined;
  }

  // ─── ConnectionOwner ───────────────────────────────────────────────────────────────────
  dial(conn: PooledConnection, cb: buildConnector.Callback): void {
    const { counters, stats } = this.init;
    const dialedAt = performance.now();
    this.init.connector(this.connectOpts, (err, socket) => {
      if (err !== null) {
        countConnectFailure(counters, stats, err);
        this.notify('connectionError', err);
        cb(err, null);
        return;
      }
      const connectedAt = performance.now();
      countConnectionOpened(counters, stats, connectedAt - dialedAt);
      socket.once('close', () => {
        countConnectionClosed(counters, stats, performance.now() - connectedAt);
        this.notify('disconnect', null);
        // An idle connection whose socket closed (keep-alive timeout, server close) is gone.
        if (conn.handler === null && !conn.retired) this.retire(conn, true);
      });
      conn.tlsIdentity = upstreamTlsIdentity(socket);
      conn.localAddress = socketAddress(socket.localAddress, socket.localPort);
      this.notify('connect', null);
      cb(null, socket);
    });
  }

  onRequestComplete(conn: PooledConnection): void {
    this.init.resources.requests.dec();
    const max = this.init.maxRequestsPerConnection;
    if (max > 0 && conn.served >= max) {
      this.retire(conn, false);
      this.openForQueue();
    } else {
      this.release(conn);
    }
    this.checkClosed();
  }

  onRequestError(conn: PooledConnection): void {
    this.init.resources.requests.dec();
    this.retire(conn, true);
    this.openForQueue();
    this.checkClosed();
  }

  // ─── internals ─────────────────────────────────────────────────────────────────────────
  private start(
    conn: PooledConnection,
    opts: Dispatcher.DispatchOptions,
    handler: Dispatcher.DispatchHandler,
  ): void {
    this.init.resources.requests.inc();
    conn.run(this.init.origin, this.init.clientOptions, opts, handler);
  }

  /** A ready connection serves the oldest pending request that may start, else goes idle. */
  private release(conn: PooledConnection): void {
    const rm = this.init.resources;
    while (this.queuedHandlers.length > 0) {
      const opts = this.queuedOpts.shift()!;
      const handler = this.queuedHandlers.shift()!;
      this.leavePending();
      if (rm.requests.canCreate()) {
        this.start(conn, opts, handler);
        return;
      }
      this.overflow(handler);
    }
    if (this.closing) this.retire(conn, false);
    else this.idle.push(conn);
  }

  /** Opens connections while pending requests outnumber the connections being opened for them. */
  private openForQueue(): void {
    const rm = this.init.resources;
    while (this.queuedHandlers.length > this.connecting) {
      if (!rm.connections.canCreate()) {
        this.init.stats.upstreamCxOverflow.inc();
        // Envoy still opens one when this host has none, so its queue cannot starve.
        if (this.total > 0) return;
      }
      this.open();
    }
  }

  private open(): void {
    const conn = new PooledConnection(this);
    this.total++;
    this.connecting++;
    this.init.resources.connections.inc();
    this.dial(conn, (err, socket) => this.onDialed(conn, err, socket));
  }

  private onDialed(conn: PooledConnection, err: Error | null, socket: Socket | null): void {
    this.connecting--;
    if (err !== null || socket === null) {
      this.retire(conn, true);
      // The oldest waiting request that no other connection attempt covers fails with it.
      if (this.queuedHandlers.length > this.connecting) {
        this.queuedOpts.shift();
        const handler = this.queuedHandlers.shift()!;
        this.leavePending();
        handler.onError?.(err ?? new Error('connect failed'));
      }
      this.openForQueue();
      this.checkClosed();
      return;
    }
    conn.socket = socket;
    this.release(conn);
    // Nobody waits for it any more (the request was cancelled): do not keep an unowned socket.
    if (conn.handler === null && conn.served === 0) {
      const i = this.idle.indexOf(conn);
      if (i >= 0) this.idle.splice(i, 1);
      this.retire(conn, true);
    }
    this.checkClosed();
  }

  private retire(conn: PooledConnection, destroy: boolean): void {
    if (conn.retired) return;
    conn.retired = true;
    this.total--;
    this.init.resources.connections.dec();
    const i = this.idle.indexOf(conn);
    if (i >= 0) this.idle.splice(i, 1);
    const done = conn.close(destroy);
    if (this.closing) this.draining.push(done);
  }

  /** undici Pool's events (`origin`, `[dispatcher]`, error), for observers and tests. */
  private notify(event: 'connect' | 'disconnect' | 'connectionError', err: Error | null): void {
    EventEmitter.prototype.emit.call(this, event, this.url, [this], err);
  }

  private leavePending(): void {
    this.init.resources.pendingRequests.dec();
    this.init.stats.upstreamRqPendingActive.dec();
  }

  private overflow(handler: Dispatcher.DispatchHandler): false {
    this.init.stats.upstreamRqPendingOverflow.inc();
    handler.onError?.(new UpstreamOverflowError());
    return false;
  }

  private checkClosed(): void {
    if (!this.closing || this.closedResolve === null) return;
    if (this.total > 0 || this.queuedHandlers.length > 0) return;
    const resolve = this.closedResolve;
    this.closedResolve = null;
    void Promise.all(this.draining).then(() => resolve());
  }
}
