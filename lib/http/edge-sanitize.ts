import type { HeaderMap } from './header-map.js';

/**
 * Request headers Envoy strips from requests it classifies as external (header_sanitizing docs):
 * a client outside the trust boundary must not steer timeouts, retries or tracing.
 */
const EXTERNAL_STRIPPED = [
  'x-envoy-decorator-operation',
  'x-envoy-downstream-service-cluster',
  'x-envoy-downstream-service-node',
  'x-envoy-expected-rq-timeout-ms',
  'x-envoy-external-address',
  'x-envoy-force-trace',
  'x-envoy-hedge-on-per-try-timeout',
  'x-envoy-internal',
  'x-envoy-ip-tags',
  'x-envoy-max-retries',
  'x-envoy-original-path',
  'x-envoy-retriable-header-names',
  'x-envoy-retriable-status-codes',
  'x-envoy-retry-grpc-on',
  'x-envoy-retry-on',
  'x-envoy-upstream-alt-stat-name',
  'x-envoy-upstream-rq-per-try-timeout-ms',
  'x-envoy-upstream-rq-timeout-alt-response',
  'x-envoy-upstream-rq-timeout-ms',
];

/**
 * Envoy's "internal address": RFC 1918, loopback, and IPv6 unique-local / loopback (also in
 * IPv4-mapped form). Requests from these peers are internal in edge mode.
 */
export function isInternalAddress(ip: string): boolean {
  const v4 = ip.startsWith('::ffff:') ? ip.slice(7) : ip;
  const m = /^(\d{1,3})\.(\d{1,3})\.\d{1,3}\.\d{1,3}$/.exec(v4);
  if (m !== null) {
    const a = Number(m[1]);
    const b = Number(m[2]);
    return a === 10 || a === 127 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168);
  }
  const lower = ip.toLowerCase();
  return lower === '::1' || /^f[cd][0-9a-f]{2}:/.test(lower);
}

/**
 * Edge mode (`use_remote_address: true`): marks internal requests with `x-envoy-internal: true`
 * and strips Envoy control headers from external ones. Returns true when the request is external.
 */
export function sanitizeEdgeRequest(h: HeaderMap, peer: string): boolean {
  if (isInternalAddress(peer)) {
    h.set('x-envoy-internal', 'true');
    return false;
  }
  for (const name of EXTERNAL_STRIPPED) h.remove(name);
  return true;
}
