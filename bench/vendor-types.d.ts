// Minimal typings for the two bench-only packages that ship none; only what the bench uses.

declare module 'autocannon' {
  /** Latency (ms) or rate percentiles as autocannon reports them. */
  export interface Percentiles {
    mean: number;
    p50: number;
    p90: number;
    p99: number;
    max: number;
  }
  /** The part of autocannon's result the bench reads. */
  export interface Result {
    requests: Percentiles & { total: number };
    latency: Percentiles;
    errors: number;
    timeouts: number;
    non2xx: number;
  }
  /** The options the bench passes. */
  export interface Options {
    url: string;
    connections?: number;
    duration?: number;
    pipelining?: number;
  }
  export default function autocannon(opts: Options): Promise<Result>;
}

declare module 'http-proxy' {
  import type { Agent, IncomingMessage, ServerResponse } from 'node:http';
  /** A pass-through proxy server as created by http-proxy. */
  export interface ProxyServer {
    web(req: IncomingMessage, res: ServerResponse, opts?: { target?: string }): void;
    on(event: 'error', cb: (err: Error, req: IncomingMessage, res: ServerResponse) => void): this;
  }
  export function createProxyServer(opts: { target: string; agent?: Agent; xfwd?: boolean }): ProxyServer;
  const httpProxy: { createProxyServer: typeof createProxyServer };
  export default httpProxy;
}
