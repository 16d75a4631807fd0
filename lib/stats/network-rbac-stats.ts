import type { Families } from './families.js';
import type { RbacStats } from './rbac-stats.js';
import type { StatDef } from './stat-def.js';

const L = ['envoy_rbac_prefix'] as const;

function c(name: string, help: string): StatDef {
  return { name: `envoy_rbac_${name}`, type: 'counter', help, labels: L };
}

/**
 * `<stat_prefix>rbac.*` of Envoy's network RBAC filter. Envoy writes the prefix in front of
 * `rbac.` with no scope of its own, so Skiff keeps it whole in the `envoy_rbac_prefix` label
 * (Istio's is `tcp.`, giving Envoy's `tcp.rbac.allowed`).
 */
export const NETWORK_RBAC = {
  allowed: c('allowed', 'Connections the network RBAC rules allowed'),
  denied: c('denied', 'Connections the network RBAC rules denied (closed)'),
  shadowAllowed: c('shadow_allowed', 'Connections the network RBAC shadow rules would allow'),
  shadowDenied: c('shadow_denied', 'Connections the network RBAC shadow rules would deny'),
} as const satisfies Record<string, StatDef>;

export const NETWORK_RBAC_STATS: readonly StatDef[] = Object.values(NETWORK_RBAC);

/** The cells of one network RBAC stat_prefix (same shape as the HTTP filter's). */
export function bindNetworkRbacStats(f: Families, statPrefix: string): RbacStats {
  const v = [statPrefix];
  return {
    allowed: f.counter(NETWORK_RBAC.allowed, v),
    denied: f.counter(NETWORK_RBAC.denied, v),
    shadowAllowed: f.counter(NETWORK_RBAC.shadowAllowed, v),
    shadowDenied: f.counter(NETWORK_RBAC.shadowDenied, v),
  };
}
