import type {
  ForwardActionConfig,
  HeaderMatcherConfig,
  HeaderMutations,
  HeaderValueOption,
  PathMatchConfig,
  RouteActionConfig,
  RouteConfig,
  RouteConfiguration,
  RouteMatchConfig,
  VirtualHostConfig,
} from '../../../lib/config/model.js';
import type { HeaderValueContext, MutableHeaders, RouteRequest } from '../../../lib/router/types.js';

/** Test builders for the routing model, filling the decoder's defaults. */

export const NO_HEADERS: HeaderMutations = {
  requestHeadersToAdd: [],
  requestHeadersToRemove: [],
  responseHeadersToAdd: [],
  responseHeadersToRemove: [],
};

export function mutations(p: Partial<HeaderMutations> = {}): HeaderMutations {
  return { ...NO_HEADERS, ...p };
}

export function hv(key: string, value: string, p: Partial<HeaderValueOption> = {}): HeaderValueOption {
  return { key, value, appendAction: 'APPEND_IF_EXISTS_OR_ADD', keepEmptyValue: false, ...p };
}

export function match(path: PathMatchConfig, p: Partial<RouteMatchConfig> = {}): RouteMatchConfig {
  return { path, caseSensitive: true, headers: [], queryParameters: [], grpc: false, ...p };
}

export const prefix = (value: string): PathMatchConfig => ({ kind: 'prefix', value });
export const exactPath = (value: string): PathMatchConfig => ({ kind: 'path', value });
export const regex = (re: string): PathMatchConfig => ({ kind: 'safe_regex', regex: re });
export const separated = (value: string): PathMatchConfig => ({ kind: 'path_separated_prefix', value });

export function forward(cluster: string, p: Partial<ForwardActionConfig> = {}): ForwardActionConfig {
  return {
    kind: 'forward',
    target: { kind: 'cluster', name: cluster },
    prefixRewrite: null,
    regexRewrite: null,
    hostRewriteLiteral: null,
    autoHostRewrite: false,
    timeoutMs: 15000,
    idleTimeoutMs: null,
    retryPolicy: null,
    clusterNotFoundResponseCode: 503,
    ...p,
  };
}

export function route(
  m: RouteMatchConfig | PathMatchConfig,
  action: RouteActionConfig,
  p: Partial<RouteConfig> = {},
): RouteConfig {
  const fullMatch = 'kind' in m ? match(m) : m;
  return {
    name: '',
    match: fullMatch,
    action,
    headers: NO_HEADERS,
    decoratorOperation: null,
    perRequestBufferLimitBytes: null,
    ...p,
  };
}

export function vhost(
  name: string,
  domains: string[],
  routes: RouteConfig[],
  p: Partial<VirtualHostConfig> = {},
): VirtualHostConfig {
  return {
    name,
    domains,
    routes,
    headers: NO_HEADERS,
    retryPolicy: null,
    includeRequestAttemptCount: false,
    includeAttemptCountInResponse: false,
    perRequestBufferLimitBytes: null,
    ...p,
  };
}

export function routeConfig(
  virtualHosts: VirtualHostConfig[],
  p: Partial<RouteConfiguration> = {},
): RouteConfiguration {
  return {
    name: 'local_route',
    virtualHosts,
    headers: NO_HEADERS,
    ignorePortInHostMatching: false,
    ...p,
  };
}

export function headerMatcher(
  name: string,
  m: HeaderMatcherConfig['match'],
  p: Partial<HeaderMatcherConfig> = {},
): HeaderMatcherConfig {
  return { name, match: m, invert: false, treatMissingAsEmpty: false, ...p };
}

/** A RouteRequest over a plain header record (names lower-case; pseudo-headers answered). */
export function req(
  path: string,
  p: { authority?: string; method?: string; scheme?: string; headers?: Record<string, string> } = {},
): RouteRequest {
  const r = {
    method: p.method ?? 'GET',
    path,
    authority: p.authority ?? 'example.com',
    scheme: p.scheme ?? 'http',
    header(name: string): string | undefined {
      if (name === ':path') return r.path;
      if (name === ':method') return r.method;
      if (name === ':authority') return r.authority;
      if (name === ':scheme') return r.scheme;
      return p.headers?.[name];
    },
  };
  return r;
}

/** Ordered header list implementing MutableHeaders, for mutation tests. */
export class FakeHeaders implements MutableHeaders {
  readonly lines: [string, string][];
  constructor(lines: [string, string][] = []) {
    this.lines = lines.map(([k, v]) => [k, v]);
  }
  get(name: string): string | undefined {
    const vs = this.lines.filter(([k]) => k === name).map(([, v]) => v);
    return vs.length === 0 ? undefined : vs.join(',');
  }
  set(name: string, value: string): void {
    const i = this.lines.findIndex(([k]) => k === name);
    this.remove(name);
    if (i === -1) this.lines.push([name, value]);
    else this.lines.splice(i, 0, [name, value]);
  }
  add(name: string, value: string): void {
    this.lines.push([name, value]);
  }
  remove(name: string): void {
    for (let i = this.lines.length - 1; i >= 0; i--) if (this.lines[i]![0] === name) this.lines.splice(i, 1);
  }
}

export function ctx(p: Partial<HeaderValueContext> = {}): HeaderValueContext {
  return {
    downstreamRemoteAddress: '10.0.0.1:5555',
    downstreamLocalAddress: '10.0.0.2:8080',
    upstreamHost: null,
    requestId: 'rid-1',
    protocol: 'HTTP/1.1',
    startTimeMs: Date.UTC(2024, 0, 2, 3, 4, 5, 678),
    ...p,
  };
}
