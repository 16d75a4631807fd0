/** The request as the router sees it. Implemented by the connection manager's ActiveStream. */
export interface RouteRequest {
  readonly method: string; // ':method'
  readonly path: string; // ':path' as received, query string included
  readonly authority: string; // ':authority' / Host, as received (may include :port)
  readonly scheme: string; // 'http' | 'https'
  /** Lower-case name → value, comma-joined when repeated; undefined when absent. Pseudo-headers answered too. */
  header(name: string): string | undefined;
}

/** Read side of a header list (lower-case names, comma-joined values). */
export interface HeaderReader {
  get(name: string): string | undefined;
}

/** Header list the mutations edit (implemented by the connection manager's header map). */
export interface MutableHeaders extends HeaderReader {
  get(name: string): string | undefined; // lower-case name, comma-joined
  set(name: string, value: string): void; // replace all values
  add(name: string, value: string): void; // append another line
  remove(name: string): void;
}

/** Values for %COMMAND% substitutions in header values. */
export interface HeaderValueContext {
  readonly downstreamRemoteAddress: string; // ip:port
  readonly downstreamLocalAddress: string; // ip:port
  readonly upstreamHost: string | null; // ip:port (response side only)
  readonly requestId: string | null;
  readonly protocol: string; // 'HTTP/1.1'
  readonly startTimeMs: number;
  /**
   * Request headers for `%REQ(…)%` in response header values. On the request side `%REQ(…)%`
   * reads the headers being mutated, as Envoy does; when this is absent on the response side the
   * substitution yields "".
   */
  readonly requestHeaders?: HeaderReader | null;
}
