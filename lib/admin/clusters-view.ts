import type { Cluster } from '../cluster/types.js';
import { HealthFlag, type Host } from '../cluster/types.js';

/** Envoy's `health_flags` suffixes, in Envoy's print order. */
const FLAG_NAMES: ReadonlyArray<readonly [number, string]> = [
  [HealthFlag.FailedActiveHc, '/failed_active_hc'],
  [HealthFlag.FailedOutlierCheck, '/failed_outlier_check'],
  [HealthFlag.FailedEdsHealth, '/failed_eds_health'],
  [HealthFlag.DegradedActiveHc, '/degraded_active_hc'],
  [HealthFlag.DegradedEdsHealth, '/degraded_eds_health'],
  [HealthFlag.PendingDynamicRemoval, '/pending_dynamic_removal'],
  [HealthFlag.PendingActiveHc, '/pending_active_hc'],
  [HealthFlag.ExcludedViaImmediateHcFail, '/excluded_via_immediate_hc_fail'],
  [HealthFlag.ActiveHcTimeout, '/active_hc_timeout'],
];

/** `healthy`, or the set flags joined (`/failed_active_hc/failed_outlier_check`). */
export function healthFlagsText(flags: number): string {
  if (flags === 0) return 'healthy';
  let out = '';
  for (const [bit, name] of FLAG_NAMES) if ((flags & bit) !== 0) out += name;
  return out === '' ? 'healthy' : out;
}

function hostCounters(h: Host): ReadonlyArray<readonly [string, number, 'COUNTER' | 'GAUGE']> {
  const c = h.counters;
  return [
    ['cx_active', c.cxActive, 'GAUGE'],
    ['cx_connect_fail', c.cxConnectFail, 'COUNTER'],
    ['cx_total', c.cxTotal, 'COUNTER'],
    ['rq_active', c.activeRequests, 'GAUGE'],
    ['rq_error', c.rqError, 'COUNTER'],
    ['rq_success', c.rqSuccess, 'COUNTER'],
    ['rq_timeout', c.rqTimeout, 'COUNTER'],
    ['rq_total', c.rqTotal, 'COUNTER'],
  ];
}

/** Envoy's `/clusters` text form: `cluster::host:port::stat::value` lines. */
export function clustersText(clusters: readonly Cluster[]): string {
  let out = '';
  for (const cl of clusters) {
    const n = cl.name;
    out += `${n}::observability_name::${n}\n`;
    out += `${n}::added_via_api::false\n`;
    for (const h of cl.hosts()) {
      const p = `${n}::${h.authority}::`;
      for (const [stat, value] of hostCounters(h)) out += `${p}${stat}::${value}\n`;
      out += `${p}hostname::${h.hostname}\n`;
      out += `${p}health_flags::${healthFlagsText(h.healthFlags)}\n`;
      out += `${p}weight::${h.weight}\n`;
      out += `${p}region::${h.locality.region}\n`;
      out += `${p}zone::${h.locality.zone}\n`;
      out += `${p}sub_zone::${h.locality.subZone}\n`;
      out += `${p}canary::false\n`;
      out += `${p}priority::${h.priority}\n`;
      out += `${p}success_rate::-1\n`;
      out += `${p}local_origin_success_rate::-1\n`;
    }
  }
  return out;
}

function healthStatus(h: Host): Record<string, unknown> {
  const f = h.healthFlags;
  const s: Record<string, unknown> = { eds_health_status: h.edsHealthStatus };
  if ((f & HealthFlag.FailedActiveHc) !== 0) s.failed_active_health_check = true;
  if ((f & HealthFlag.FailedOutlierCheck) !== 0) s.failed_outlier_check = true;
  if ((f & HealthFlag.PendingDynamicRemoval) !== 0) s.pending_dynamic_removal = true;
  if ((f & HealthFlag.PendingActiveHc) !== 0) s.pending_active_hc = true;
  if ((f & HealthFlag.DegradedActiveHc) !== 0) s.failed_active_degraded_check = true;
  if ((f & HealthFlag.ExcludedViaImmediateHcFail) !== 0) s.excluded_via_immediate_hc_fail = true;
  if ((f & HealthFlag.ActiveHcTimeout) !== 0) s.active_hc_timeout = true;
  return s;
}

/**
 * Envoy's `/clusters?format=json` shape (admin.v3.Clusters). Counter values are strings, as
 * proto3 JSON renders uint64; zero values are kept rather than omitted.
 */
export function clustersJson(clusters: readonly Cluster[]): unknown {
  return {
    cluster_statuses: clusters.map((cl) => ({
      name: cl.name,
      observability_name: cl.name,
      added_via_api: false,
      host_statuses: cl.hosts().map((h) => ({
        address: { socket_address: { address: h.address, port_value: h.port } },
        stats: hostCounters(h).map(([name, value, type]) =>
          type === 'GAUGE' ? { type, name, value: String(value) } : { name, value: String(value) },
        ),
        health_status: healthStatus(h),
        weight: h.weight,
        hostname: h.hostname,
        priority: h.priority,
        locality: { region: h.locality.region, zone: h.locality.zone, sub_zone: h.locality.subZone },
      })),
    })),
  };
}
