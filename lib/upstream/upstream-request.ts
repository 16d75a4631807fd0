import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { type Host, OutlierResult } from '../cluster/types.js';
import { HostPool } from './host-pool.js';
import type { ConnectionFactsHandler } from './pooled-connection.js';
import type { UpstreamTlsIdentity } from './tls-identity.js';
import { classifyUpstreamError, type UpstreamFailure } from './upstream-errors.js';

/**
 * What the router hears from one upstream attempt. Return `false` from headers/data to apply
 * back-pressure; call `UpstreamRequest.resume()` once the downstream drained.
 */
export interface UpstreamCallbacks {
  onUpstreamHeaders(statusCode: number, rawHeaders: Buffer[]): boolean;
  onUpstreamData(chunk: Buffer): boolean;
  /** Request body bytes went out (progress for idle timeouts). */
  onRequestProgress(): void;
  onUpstreamComplete(rawTrailers: Buffer[] | null): void;
  /** Any failure: connect error, reset before or after headers, protocol error. */
  onUpstreamFailure(failure: UpstreamFailure): void;
}

export interface UpstreamRequestOptions {
  readonly method: string;
  readonly path: string;
  /** Flat `[name, value, …]`, hop-by-hop headers already removed. */
  readonly headers: string[];
  readonly body: Readable | Buffer | null;
}

/** `code` of the error the router aborts an attempt with when its route timeout fires. */
const ROUTE_TIMEOUT_CODE = 'SKIFF_UPSTREAM_TIMEOUT';

/**
 * One attempt against one host over its undici pool. Uses undici's native (legacy) handler
 * callbacks: they receive raw header buffers and body-sent notifications without the wrapper
 * object and parsed-header allocation the newer controller API adds per response.
 * Invariant: exactly one of onUpstreamComplete / onUpstreamFailure is delivered, unless the
 * caller aborted first, after which nothing is delivered.
 *
 * Outlier detection hears what Envoy's router reports: the response status; every reset or
 * connect failure as LocalOriginConnectFailed; a route timeout before headers as
 * LocalOriginTimeout; and LocalOriginConnectSuccess from `onConnect`, which undici 7 calls
 * only once the request is written to an established connection (client-h1 `writeH1`; `_resume`
 * connects first), so it never fires for a request whose connect fails. Envoy's HTTP router
 * sends no LocalOriginConnectSuccessFinal (only tcp_proxy does): in non-split mode it would
 * count as a 200 and reset the 5xx streak after every completed 503.
 */
export class UpstreamRequest implements Dispatcher.DispatchHandler, ConnectionFactsHandler {
  readonly host: Host;
  private readonly cb: UpstreamCallbacks;
  private abortFn: ((err?: Error) => void) | null = null;
  private dispatcher: Dispatcher | null = null;
  private resumeFn: (() => void) | null = null;
  private cancelled: Error | null = null;
  private finished = false;
  /** Request body bytes handed to the socket. */
  bytesSent = 0;
  /** True once any byte of the request was written (reset-before-request retries need it). */
  requestStarted = false;
  headersReceived = false;
  /** The connection's TLS identities, once written to one (null = plaintext / not yet). */
  tls: UpstreamTlsIdentity | null = null;
  /** Our end of the upstream connection, `ip:port`; null until connected. */
  localAddress: string | null = null;

  constructor(host: Host, cb: UpstreamCallbacks) {
    this.host = host;
    this.cb = cb;
  }

  start(opts: UpstreamRequestOptions): void {
    const counters = this.host.counters;
    counters.activeRequests++;
    counters.rqTotal++;
    try {
      const dispatcher = this.host.dispatcher();
      this.dispatcher = dispatcher;
      dispatcher.dispatch(
        {
          method: opts.method,
          path: opts.path,
          headers: opts.headers,
          body: opts.body,
          // The router decides on retries; undici must not replay anything by itself.
          idempotent: false,
          blocking: false,
        },
        this,
      );
    } catch (err) {
      // undici reports bad arguments through onError (synchronously, inside dispatch); this
      // catch covers anything dispatch itself throws, reported on a later tick like a failure.
      queueMicrotask(() => this.onError(err as Error));
    }
  }

  /** Stops the attempt; its socket is destroyed so it is never reused. Idempotent. */
  abort(reason: Error): void {
    if (this.finished) return;
    // Envoy charges a timeout only to an attempt still waiting for its response headers.
    if (!this.headersReceived && (reason as { code?: unknown }).code === ROUTE_TIMEOUT_CODE) {
      this.host.outlier.putResult(OutlierResult.LocalOriginTimeout);
    }
    this.cancelled = reason;
    this.finish(false);
    if (this.abortFn !== null) this.abortFn(reason);
    else if (this.dispatcher instanceof HostPool) this.dispatcher.cancel(this);
  }

  resume(): void {
    this.resumeFn?.();
  }

  private finish(success: boolean): void {
    if (this.finished) return;
    this.finished = true;
    const counters = this.host.counters;
    counters.activeRequests--;
    if (success) counters.rqSuccess++;
    else counters.rqError++;
  }

  onUpstreamConnection(localAddress: string | null, tls: UpstreamTlsIdentity | null): void {
    this.localAddress = localAddress;
    this.tls = tls;
  }

  onConnect(abort: (err?: Error) => void): void {
    if (this.cancelled !== null) {
      abort(this.cancelled);
      return;
    }
    this.abortFn = abort;
    this.requestStarted = true;
    this.host.outlier.putResult(OutlierResult.LocalOriginConnectSuccess);
  }

  onBodySent(chunkSize: number | Buffer): void {
    this.bytesSent += typeof chunkSize === 'number' ? chunkSize : chunkSize.length;
    this.cb.onRequestProgress();
  }

  onHeaders(statusCode: number, headers: Buffer[], resume: () => void): boolean {
    if (this.cancelled !== null) return false;
    // 1xx (100 Continue) is consumed here: the downstream side answered Expect itself.
    if (statusCode < 200) return true;
    this.headersReceived = true;
    this.host.outlier.putHttpResponseCode(statusCode);
    this.resumeFn = resume;
    return this.cb.onUpstreamHeaders(statusCode, headers);
  }

  onData(chunk: Buffer): boolean {
    if (this.cancelled !== null) return false;
    return this.cb.onUpstreamData(chunk);
  }

  onComplete(trailers: string[] | Buffer[] | null): void {
    if (this.cancelled !== null) return;
    this.finish(true);
    this.cb.onUpstreamComplete(trailers as Buffer[] | null);
  }

  onError(err: Error): void {
    if (this.cancelled !== null) return;
    this.finish(false);
    const failure = classifyUpstreamError(err, this.headersReceived);
    // Envoy's router reports every upstream reset this way, connected or not; a circuit breaker's
    // overflow never reached the host, so it says nothing about its health.
    if (failure.reason !== 'overflow') this.host.outlier.putResult(OutlierResult.LocalOriginConnectFailed);
    this.cb.onUpstreamFailure(failure);
  }
}
