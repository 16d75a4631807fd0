import type { HttpConnectionManagerConfig, RouterFilterConfig } from '../config/model.js';
import type { HeaderMap } from '../http/header-map.js';

/**
 * The headers the router adds to an upstream response before it goes downstream:
 * `x-envoy-upstream-service-time` (unless suppressed), `x-envoy-attempt-count`, generated cookies,
 * the HCM's `via`, and `server` per `server_header_transformation`. `attempts` is 0 when the
 * virtual host does not ask for the count; `setCookies` are a hash policy's generated cookies.
 * Positional arguments: this runs once per proxied response.
 */
export function editUpstreamResponseHeaders(
  h: HeaderMap,
  deps: { readonly config: RouterFilterConfig; readonly hcm: HttpConnectionManagerConfig },
  serviceTimeMs: number,
  attempts: number,
  setCookies: readonly string[] | null,
): void {
  if (!deps.config.suppressEnvoyHeaders) {
    h.set('x-envoy-upstream-service-time', String(Math.round(serviceTimeMs)));
  }
  if (attempts > 0) h.set('x-envoy-attempt-count', String(attempts));
  if (setCookies !== null) for (const c of setCookies) h.add('set-cookie', c);
  const via = deps.hcm.via;
  if (via !== '') {
    const prior = h.get('via');
    h.set('via', prior === undefined ? via : `${prior}, ${via}`);
  }
  const serverMode = deps.hcm.serverHeaderTransformation;
  if (serverMode === 'OVERWRITE' || (serverMode === 'APPEND_IF_ABSENT' && !h.has('server'))) {
    h.set('server', deps.hcm.serverName);
  }
}
