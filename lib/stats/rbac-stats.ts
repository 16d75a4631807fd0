import type { Counter } from './cells.js';
import type { Families } from './families.js';
import type { StatDef } from './stat-def.js';

const L = ['envoy_http_conn_manager_prefix'] as const;

/**
 * `http.<stat_prefix>.rbac.*` (Envoy's RBAC filter). The HCM prefix becomes the
 * `envoy_http_conn_manager_prefix` label, as for the fault and CORS filters.
 */
export const RBAC = {
  allowed: {
    name: 'envoy_http_rbac_allowed',
    type: 'counter',
    help: 'Requests the RBAC rules allowed',
    labels: L,
  },
  denied: {
    name: 'envoy_http_rbac_denied',
    type: 'counter',
    help: 'Requests the RBAC rules denied',
    labels: L,
  },
  shadowAllowed: {
    name: 'envoy_http_rbac_shadow_allowed',
    type: 'counter',
    help: 'Requests the RBAC shadow rules would allow',
    labels: L,
  },
  shadowDenied: {
    name: 'envoy_http_rbac_shadow_denied',
    type: 'counter',
    help: 'Requests the RBAC shadow rules would deny',
    labels: L,
  },
} as const satisfies Record<string, StatDef>;

export const RBAC_STATS: readonly StatDef[] = Object.values(RBAC);

/** One connection manager's RBAC cells (shared by every RBAC filter and route override). */
export interface RbacStats {
  readonly allowed: Counter;
  readonly denied: Counter;
  readonly shadowAllowed: Counter;
  readonly shadowDenied: Counter;
}

export function bindRbacStats(f: Families, statPrefix: string): RbacStats {
  return f.bindTable(RBAC, [statPrefix]);
}
