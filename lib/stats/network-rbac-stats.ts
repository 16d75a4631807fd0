import type { Families } from './families.js';
import type { RbacStats } from './rbac-stats.js';
import type { StatDef } from './stat-def.js';

const TCP = ['envoy_tcp_prefix'] as const;
const OTHER = ['envoy_rbac_prefix'] as const;

function c(name: string, help: string, labels: readonly string[]): StatDef & { readonly type: 'counter' } {
  return { name, type: 'counter', help, labels };
}

const HELP = {
  allowed: 'Connections the network RBAC rules allowed',
  denied: 'Connections the network RBAC rules denied (closed)',
  shadowAllowed: 'Connections the network RBAC shadow rules would allow',
  shadowDenied: 'Connections the network RBAC shadow rules would deny',
} as const;

/**
 * `<stat_prefix>rbac.*` of Envoy's network RBAC filter as Envoy's default tags name them when the
 * prefix starts with `tcp.` (Istio's is `tcp.`): `tcp.rbac.allowed` matches the `envoy_tcp_prefix`
 * regex `^tcp\.((.*?)\.)\w+?$`, giving `envoy_tcp_allowed{envoy_tcp_prefix="rbac"}`.
 */
export const NETWORK_RBAC_TCP = {
  allowed: c('envoy_tcp_allowed', `${HELP.allowed} (stat_prefix tcp.*)`, TCP),
  denied: c('envoy_tcp_denied', `${HELP.denied} (stat_prefix tcp.*)`, TCP),
  shadowAllowed: c('envoy_tcp_shadow_allowed', `${HELP.shadowAllowed} (stat_prefix tcp.*)`, TCP),
  shadowDenied: c('envoy_tcp_shadow_denied', `${HELP.shadowDenied} (stat_prefix tcp.*)`, TCP),
} as const satisfies Record<string, StatDef>;

/**
 * Any other prefix: Envoy would make it part of the series name (`envoy_<prefix>rbac_allowed`);
 * families have fixed names here, so the whole prefix goes into `envoy_rbac_prefix`.
 */
export const NETWORK_RBAC_OTHER = {
  allowed: c('envoy_rbac_allowed', HELP.allowed, OTHER),
  denied: c('envoy_rbac_denied', HELP.denied, OTHER),
  shadowAllowed: c('envoy_rbac_shadow_allowed', HELP.shadowAllowed, OTHER),
  shadowDenied: c('envoy_rbac_shadow_denied', HELP.shadowDenied, OTHER),
} as const satisfies Record<string, StatDef>;

export const NETWORK_RBAC_STATS: readonly StatDef[] = [
  ...Object.values(NETWORK_RBAC_TCP),
  ...Object.values(NETWORK_RBAC_OTHER),
];

/** The cells of one network RBAC stat_prefix (same shape as the HTTP filter's). */
export function bindNetworkRbacStats(f: Families, statPrefix: string): RbacStats {
  const tcp = statPrefix.startsWith('tcp.');
  const defs = tcp ? NETWORK_RBAC_TCP : NETWORK_RBAC_OTHER;
  // `tcp.` + X + `rbac.allowed`: the tag is everything between `tcp.` and the last dot.
  return f.bindTable(defs, [tcp ? `${statPrefix.slice(4)}rbac` : statPrefix]);
}
