import type { Counter } from './cells.js';
import type { Families } from './families.js';
import type { StatDef } from './stat-def.js';

const L = ['envoy_http_conn_manager_prefix'] as const;

/**
 * `http.<stat_prefix>.cors.*` (Envoy's CORS filter); requests without `Origin` are not counted.
 * The HCM prefix becomes the `envoy_http_conn_manager_prefix` label, as for the fault filter.
 */
export const CORS = {
  originValid: {
    name: 'envoy_http_cors_origin_valid',
    type: 'counter',
    help: 'Requests whose Origin the CORS policy allows',
    labels: L,
  },
  originInvalid: {
    name: 'envoy_http_cors_origin_invalid',
    type: 'counter',
    help: 'Requests whose Origin the CORS policy does not allow',
    labels: L,
  },
} as const satisfies Record<string, StatDef>;

export const CORS_STATS: readonly StatDef[] = Object.values(CORS);

/** One connection manager's CORS cells (shared by every route's policy). */
export interface CorsStats {
  readonly originValid: Counter;
  readonly originInvalid: Counter;
}

export function bindCorsStats(f: Families, statPrefix: string): CorsStats {
  return f.bindTable(CORS, [statPrefix]);
}
