import type { DiscoveryType, OriginalDstConfig } from '../model.js';
import type { FieldReader } from '../reader.js';
import { ORIGINAL_DST_LB_RULES } from './field-rules.js';

/** Envoy's default `http_header_name`. */
export const ORIGINAL_DST_HOST_HEADER = 'x-envoy-original-dst-host';

// RFC 9110 token characters, lower-cased (Envoy lower-cases the configured name).
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/;

/**
 * Envoy's ORIGINAL_DST rules (OriginalDstClusterFactory): `lb_policy` must be CLUSTER_PROVIDED,
 * no `load_assignment`, and here `use_http_header: true`, since the connection's original
 * destination (SO_ORIGINAL_DST after an iptables redirect) is not available yet. Returns the
 * model value for ORIGINAL_DST clusters, undefined for the others (their `original_dst_lb_config`
 * is ignored with a warning, as it only matters to this cluster type).
 */
export function readOriginalDst(
  r: FieldReader,
  type: DiscoveryType,
  clusterProvided: boolean,
): OriginalDstConfig | undefined {
  if (type !== 'ORIGINAL_DST') {
    if (clusterProvided)
      r.error(
        'lb_policy',
        `LB policy CLUSTER_PROVIDED is only valid for cluster type ORIGINAL_DST, not ${type}`,
      );
    if (r.has('original_dst_lb_config')) {
      r.skip('original_dst_lb_config');
      r.warn('original_dst_lb_config', 'only used by ORIGINAL_DST clusters; ignored');
    }
    return undefined;
  }
  if (!clusterProvided) {
    const policy = typeof r.raw('lb_policy') === 'string' ? String(r.raw('lb_policy')) : 'ROUND_ROBIN';
    r.error(
      'lb_policy',
      `LB policy ${policy} is not valid for cluster type ORIGINAL_DST; only CLUSTER_PROVIDED is allowed`,
    );
  }
  if (r.has('load_assignment'))
    r.error('load_assignment', 'ORIGINAL_DST clusters must have no load assignment');
  const cleanupIntervalMs = r.duration('cleanup_interval') ?? 5000;
  if (cleanupIntervalMs <= 0) r.error('cleanup_interval', 'must be greater than 0');

  const lb = r.object('original_dst_lb_config');
  const useHeader = lb?.bool('use_http_header') ?? false;
  const name = (lb?.string('http_header_name') ?? '').toLowerCase();
  const portOverride = lb?.int('upstream_port_override', 1, 65_535) ?? null;
  lb?.finish(ORIGINAL_DST_LB_RULES);
  if (lb === undefined) {
    r.error(
      'original_dst_lb_config',
      "missing: the connection's original destination (iptables capture) is not supported yet; set original_dst_lb_config.use_http_header: true",
    );
  } else if (!useHeader) {
    lb.error(
      'use_http_header',
      "use_http_header: false (the connection's original destination, iptables capture) is not supported yet; set it to true",
    );
  }
  if (name !== '' && name !== ':authority' && !TOKEN.test(name)) {
    lb?.error('http_header_name', `"${name}" is not a valid header name (or :authority)`);
  }
  return {
    httpHeaderName: name === '' ? ORIGINAL_DST_HOST_HEADER : name,
    defaultPort: 80,
    upstreamPortOverride: portOverride,
    cleanupIntervalMs,
  };
}
