import type { StatDef } from './stat-def.js';

/**
 * Which tag extraction names the Prometheus series: `envoy` is vanilla Envoy's default tags
 * (an Envoy bootstrap), `istio` is the `stats_tags` of Istio's sidecar bootstrap.
 */
export type StatNaming = 'envoy' | 'istio';

/** Envoy's default tag name → the tag Istio's bootstrap extracts instead. */
export const ISTIO_TAG_NAMES: Readonly<Record<string, string>> = {
  envoy_cluster_name: 'cluster_name',
  envoy_response_code: 'response_code',
  envoy_response_code_class: 'response_code_class',
  envoy_http_conn_manager_prefix: 'http_conn_manager_prefix',
  envoy_listener_address: 'listener_address',
  envoy_tcp_prefix: 'tcp_prefix',
};

const CLASS_TAG = 'envoy_response_code_class';

/** How one declared stat is written for a naming: series name, label names, value suffixes. */
export interface ExposedShape {
  readonly name: string;
  readonly labels: readonly string[];
  /** Appended to each label value (Istio's class tag keeps the `xx`: `2` → `2xx`). */
  readonly valueSuffix: readonly string[];
}

/**
 * The series shape of `def` under `naming`. Istio's class regex `_rq(_(\dxx))$` removes the whole
 * `_2xx`, so `upstream_rq_2xx` lands in the same series name as `upstream_rq_200`
 * (`envoy_cluster_upstream_rq`), where Envoy's `_rq_(\d)xx$` leaves `envoy_cluster_upstream_rq_xx`.
 */
export function exposedShape(def: StatDef, naming: StatNaming): ExposedShape {
  if (naming === 'envoy' || !def.name.startsWith('envoy_')) {
    return { name: def.name, labels: def.labels, valueSuffix: def.labels.map(() => '') };
  }
  const byClass = def.labels.includes(CLASS_TAG);
  const name = byClass && def.name.endsWith('_xx') ? def.name.slice(0, -3) : def.name;
  return {
    name,
    labels: def.labels.map((l) => ISTIO_TAG_NAMES[l] ?? l),
    valueSuffix: def.labels.map((l) => (l === CLASS_TAG ? 'xx' : '')),
  };
}

// Envoy stat-name scopes: the Prometheus prefix, the tag that held the scope's name, the scope.
const SCOPES: ReadonlyArray<readonly [string, string | null, string]> = [
  ['envoy_cluster_', 'envoy_cluster_name', 'cluster'],
  ['envoy_http_', 'envoy_http_conn_manager_prefix', 'http'],
  ['envoy_listener_', 'envoy_listener_address', 'listener'],
  ['envoy_server_', null, 'server'],
  ['envoy_tcp_', 'envoy_tcp_prefix', 'tcp'],
];

// Sub-scopes whose `.` became `_` in the Prometheus name.
const SUB_SCOPES: ReadonlyArray<readonly [string, string]> = [
  ['circuit_breakers_default_', 'circuit_breakers.default.'],
  ['circuit_breakers_high_', 'circuit_breakers.high.'],
  ['outlier_detection_', 'outlier_detection.'],
  ['health_check_', 'health_check.'],
  ['fault_', 'fault.'],
  ['rbac_', 'rbac.'],
  ['cors_', 'cors.'],
];

/**
 * Envoy's own stat name (what `/stats` prints), undoing the default tag extraction:
 * `envoy_cluster_upstream_rq{envoy_response_code="200",envoy_cluster_name="x"}` →
 * `cluster.x.upstream_rq_200`. Non-Envoy stats keep their name with `{k=v,…}` appended.
 */
export function envoyStatName(def: StatDef, values: readonly string[]): string {
  const tag = (label: string): string | undefined => {
    const i = def.labels.indexOf(label);
    return i < 0 ? undefined : values[i];
  };
  // The network RBAC filter has no scope: its prefix is written before `rbac.` as is.
  if (def.name.startsWith('envoy_rbac_'))
    return `${tag('envoy_rbac_prefix') ?? ''}rbac.${def.name.slice(11)}`;
  for (const [prefix, scopeTag, scope] of SCOPES) {
    if (!def.name.startsWith(prefix)) continue;
    let stat = def.name.slice(prefix.length);
    for (const [from, to] of SUB_SCOPES) {
      if (stat.startsWith(from)) {
        stat = to + stat.slice(from.length);
        break;
      }
    }
    const code = tag('envoy_response_code');
    const cls = tag(CLASS_TAG);
    if (code !== undefined) stat = `${stat}_${code}`;
    else if (cls !== undefined && stat.endsWith('_xx')) stat = `${stat.slice(0, -3)}_${cls}xx`;
    const owner = scopeTag === null ? undefined : tag(scopeTag);
    return owner === undefined ? `${scope}.${stat}` : `${scope}.${owner}.${stat}`;
  }
  if (def.labels.length === 0) return def.name;
  return `${def.name}{${def.labels.map((l, i) => `${l}=${values[i]}`).join(',')}}`;
}
