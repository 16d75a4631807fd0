import type { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { buildConnector, Client, Dispatcher } from 'undici';
import type { UpstreamTlsIdentity } from './tls-identity.js';
import { Client as UndiciClient } from './undici-core.js';

/** What a connection reports back to the pool that owns it. */
export interface ConnectionOwner {
  /** Dials a new socket (connect timeout, counters, LOGICAL_DNS address). */
  dial(conn: PooledConnection, cb: buildConnector.Callback): void;
  /** The request on `conn` completed; the connection may be reused. */
  onRequestComplete(conn: PooledConnection): void;
  /** The request on `conn` failed; the connection is not reused. */
  onRequestError(conn: PooledConnection): void;
}

type Handler = Dispatcher.DispatchHandler;

/** A request handler that wants the facts of the connection it is written to (read once per connection). */
export interface ConnectionFactsHandler {
  onUpstreamConnection(localAddress: string | null, tls: UpstreamTlsIdentity | null): void;
}

function wantsConnectionFacts(h: Handler): h is Handler & ConnectionFactsHandler {
  return 'onUpstreamConnection' in h;
}

function ignoreError(): void {}

/**
 * One upstream connection: an undici Client with pipelining 1 that is handed the socket the pool
 * dialled (so the connection exists before any request is bound to it), plus the request it
 * serves now. It is the undici handler of that request and forwards every callback, so a request
 * costs no wrapper object. If undici must reconnect (the server closed after a response while
 * the next request was already queued), it dials through the pool again.
 */
export class PooledConnection implements Handler {
  /** The request being served; null while idle. */
  handler: Handler | null = null;
  /** Requests dispatched on this connection (max_requests_per_connection). */
  served = 0;
  /** Retired: no longer counted against max_connections. */
  retired = false;
  /** The dialled socket until undici takes it; null after. */
  socket: Socket | null = null;
  /** What the current socket's TLS handshake established; null on plaintext. */
  tlsIdentity: UpstreamTlsIdentity | null = null;
  /** `ip:port` of our end of the connection (`%UPSTREAM_LOCAL_ADDRESS%`), set when it connects. */
  localAddress: string | null = null;
  private client: Client | null = null;
  private readonly owner: ConnectionOwner;

  constructor(owner: ConnectionOwner) {
    this.owner = owner;
  }

  /** Sends one request; the pool has already taken its `requests` resource. */
  run(origin: string, options: Client.Options, opts: Dispatcher.DispatchOptions, handler: Handler): void {
    this.handler = handler;
    this.served++;
    let client = this.client;
    if (client === null) {
      client = new UndiciClient(origin, { ...options, connect: this.connect });
      // undici emits 'error' on the Client if a handler callback throws; ours report through the
      // request instead, and an unheard 'error' would take the process down.
      (client as unknown as EventEmitter).on('error', ignoreError);
      this.client = client;
    }
    client.dispatch(opts, this);
  }

  /** undici's connector hook: the first call takes the dialled socket, later ones dial anew. */
  private readonly connect = (_opts: buildConnector.Options, cb: buildConnector.Callback): void => {
    const socket = this.socket;
    if (socket === null) {
      this.owner.dial(this, cb);
      return;
    }
    this.socket = null;
    // undici is inside its resume loop here; a synchronous answer would be dropped by it.
    queueMicrotask(() => cb(null, socket));
  };

  /** Closes the connection: at once (`destroy`), or after the request in flight. */
  close(destroy: boolean): Promise<void> {
    const socket = this.socket;
    if (socket !== null) {
      this.socket = null;
      socket.destroy();
    }
    const client = this.client;
    if (client === null) return Promise.resolve();
    return (destroy ? client.destroy() : client.close()).catch(() => {});
  }

  // ─── undici handler callbacks, forwarded to the current request ─────────────────────────
  onConnect(abort: (err?: Error) => void): void {
    const h = this.handler;
    if (h === null) return;
    if (wantsConnectionFacts(h)) h.onUpstreamConnection(this.localAddress, this.tlsIdentity);
    h.onConnect?.(abort);
  }

  onResponseStarted(): void {
    this.handler?.onResponseStarted?.();
  }

  onHeaders(statusCode: number, headers: Buffer[], resume: () => void, statusText: string): boolean {
    const h = this.handler;
    return h?.onHeaders === undefined ? true : h.onHeaders(statusCode, headers, resume, statusText);
  }

  onData(chunk: Buffer): boolean {
    const h = this.handler;
    return h?.onData === undefined ? true : h.onData(chunk);
  }

  onBodySent(chunkSize: number, totalBytesSent: number): void {
    this.handler?.onBodySent?.(chunkSize, totalBytesSent);
  }

  onUpgrade(statusCode: number, headers: Buffer[] | string[] | null, socket: Duplex): void {
    this.handler?.onUpgrade?.(statusCode, headers, socket);
  }

  onComplete(trailers: string[] | null): void {
    const h = this.handler;
    if (h === null) return;
    this.handler = null;
    // The response ends before the connection takes the next request; if the handler throws,
    // undici reports it through onError, which then finds no request and leaves the pool alone.
    try {
      h.onComplete?.(trailers);
    } finally {
      this.owner.onRequestComplete(this);
    }
  }

  onError(err: Error): void {
    const h = this.handler;
    if (h === null) return;
    this.handler = null;
    // Retire first: the handler may dispatch again (a retry) and must not get this connection.
    this.owner.onRequestError(this);
    h.onError?.(err);
  }
}
