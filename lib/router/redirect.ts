import type { RedirectActionConfig } from '../config/model.js';
import type { RouteRequest } from './types.js';

/** The parts of a `RedirectAction` that shape the Location, pre-digested at compile time. */
export interface RedirectSpec {
  readonly scheme: string | null;
  readonly host: string | null;
  /** `:port` or "". */
  readonly port: string;
  readonly path: string | null;
  readonly pathHasQuery: boolean;
  readonly stripQuery: boolean;
}

export function redirectSpec(cfg: RedirectActionConfig): RedirectSpec {
  const path = cfg.pathRedirect === null || cfg.pathRedirect === '' ? null : cfg.pathRedirect;
  return Object.freeze({
    scheme: cfg.schemeRedirect === '' ? null : cfg.schemeRedirect,
    host: cfg.hostRedirect === '' ? null : cfg.hostRedirect,
    port: cfg.portRedirect === null || cfg.portRedirect === 0 ? '' : `:${cfg.portRedirect}`,
    path,
    pathHasQuery: path?.includes('?') === true,
    stripQuery: cfg.stripQuery,
  });
}

/**
 * The request's Host, minus its port when the redirect sets a port, or when the scheme changes
 * and the port is the old scheme's default (`http://h:80` → `https://h`). The old scheme is
 * `x-forwarded-proto` (Envoy's HCM always sets it; `req.scheme` stands in when it is absent).
 * Same scheme keeps the port as written, even `:443` on https.
 */
function redirectHost(req: RouteRequest, scheme: string, port: string): string {
  const host = req.authority;
  if (host === '') return host;
  let end: number;
  if (host.charCodeAt(0) === 91 /* [ */) {
    end = host.lastIndexOf(']:');
    if (end !== -1) end += 1;
  } else {
    end = host.lastIndexOf(':');
  }
  if (end === -1) return host;
  const requestPort = host.slice(end);
  const requestProto = req.header('x-forwarded-proto') ?? req.scheme;
  let remove = port !== '';
  if (scheme !== requestProto) {
    remove ||=
      (requestProto === 'https' && requestPort === ':443') ||
      (requestProto === 'http' && requestPort === ':80');
  }
  return remove ? host.slice(0, end) : host;
}

/**
 * Envoy's Http::Utility::newUri: `scheme://host[:port]path`. `path` is the request path after
 * the redirect's prefix/regex rewrite. A `path_redirect` keeps the request's query unless it has
 * its own; `strip_query` drops the query unless `path_redirect` carries one.
 */
export function buildLocation(spec: RedirectSpec | null, req: RouteRequest, path: string): string {
  const scheme = spec?.scheme ?? req.scheme;
  const port = spec?.port ?? '';
  const host = spec?.host ?? redirectHost(req, scheme, port);
  let finalPath = path;
  if (spec !== null && spec.path !== null) {
    if (spec.pathHasQuery) finalPath = spec.path;
    else {
      const q = path.indexOf('?');
      finalPath = q === -1 ? spec.path : spec.path + path.slice(q);
    }
  }
  if (finalPath.charCodeAt(0) !== 47 /* / */) finalPath = `/${finalPath}`;
  if (spec?.stripQuery && !spec.pathHasQuery) {
    const q = finalPath.indexOf('?');
    if (q !== -1) finalPath = finalPath.slice(0, q);
  }
  return `${scheme}://${host}${port}${finalPath}`;
}
