/**
 * VirtualService `tcp[]` → the upstream choice of one outbound tcp_proxy, as istiod's
 * `buildSidecarOutboundTCPFilterChainOpts` picks it: the first rule with no match or with a match
 * for this listener port, the proxy's labels, the `mesh` gateway and its namespace. One
 * destination names its cluster (stat prefix = the cluster); several are weighted clusters
 * (weight 0 dropped; stat prefix `<vs name>.<vs namespace>`).
 */
import type { TcpProxyClusterWeight } from '../../model.js';
import type { IstioDestination, L4Match, VirtualService } from '../model.js';
import type { SourcedResource } from '../sourced.js';
import { selects, type WorkloadInfo } from '../workload.js';
import type { TranslateSink } from './types.js';

/** Where a tcp_proxy sends connections, and under which stat prefix. */
export interface TcpRouteChoice {
  readonly clusters: readonly TcpProxyClusterWeight[];
  readonly statPrefix: string;
  /** The destinations kept, in order (the first one's DestinationRule sets the idle timeout). */
  readonly destinations: readonly IstioDestination[];
}

/** Names the cluster of a destination written in a VirtualService of `namespace`. */
export type TcpClusterNamer = (dest: IstioDestination, namespace: string) => string;

function matches(m: L4Match, port: number, workload: WorkloadInfo): boolean {
  if (m.port !== 0 && m.port !== port) return false;
  if (!selects(m.sourceLabels, workload.labels)) return false;
  if (m.gateways.length > 0 && !m.gateways.includes('mesh')) return false;
  return m.sourceNamespace === '' || m.sourceNamespace === workload.namespace;
}

/** The route of `vs` for listener `port`; null when no rule applies (istiod's default route). */
export function tcpRouteFor(
  vs: SourcedResource<VirtualService>,
  port: number,
  workload: WorkloadInfo,
  clusterOf: TcpClusterNamer,
  sink: TranslateSink,
): TcpRouteChoice | null {
  const { spec, metadata } = vs.resource;
  for (const [i, rule] of spec.tcp.entries()) {
    let taken = rule.match.length === 0;
    for (const [j, m] of rule.match.entries()) {
      if (taken || !matches(m, port, workload)) continue;
      if (m.destinationSubnets.length > 0) {
        // istiod makes these a filter chain on the original destination IP, which Skiff lacks.
        sink.warnings.push({
          file: vs.file,
          path: `spec.tcp[${i}].match[${j}].destinationSubnets`,
          message:
            "this match is skipped: destinationSubnets needs the connection's original destination (iptables capture), which Skiff does not have yet",
        });
        continue;
      }
      taken = true;
    }
    if (!taken) continue;
    const kept = rule.route.length === 1 ? rule.route : rule.route.filter((d) => d.weight > 0);
    const clusters = kept.map((d) => ({
      name: clusterOf(d.destination, metadata.namespace),
      weight: rule.route.length === 1 ? 1 : d.weight,
    }));
    const only = clusters.length === 1 ? clusters[0] : undefined;
    return {
      clusters,
      statPrefix:
        only !== undefined && rule.route.length === 1 ? only.name : `${metadata.name}.${metadata.namespace}`,
      destinations: kept.map((d) => d.destination),
    };
  }
  return null;
}
