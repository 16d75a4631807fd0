/**
 * What every analyzer reads, built once per run: the resources by kind in istiod's order, the
 * service registry, and the VirtualService destinations with their field paths.
 */
import type {
  DestinationRule,
  IstioDestination,
  PeerAuthentication,
  ServiceEntry,
  Sidecar,
  VirtualService,
  WorkloadEntry,
} from '../istio/model.js';
import { ServiceRegistry } from '../istio/registry.js';
import { ofKind, type SourcedResource } from '../istio/sourced.js';

/** The inputs of one analysis run. */
export interface AnalysisContext {
  readonly virtualServices: readonly SourcedResource<VirtualService>[];
  readonly destinationRules: readonly SourcedResource<DestinationRule>[];
  readonly serviceEntries: readonly SourcedResource<ServiceEntry>[];
  readonly workloadEntries: readonly SourcedResource<WorkloadEntry>[];
  readonly peerAuthentications: readonly SourcedResource<PeerAuthentication>[];
  readonly registry: ServiceRegistry;
  readonly sidecars: readonly SourcedResource<Sidecar>[];
}

/** Builds the context; resources keep istiod's precedence order within a kind. */
export function analysisContext(resources: readonly SourcedResource[]): AnalysisContext {
  return {
    virtualServices: ofKind(resources, 'VirtualService'),
    destinationRules: ofKind(resources, 'DestinationRule'),
    serviceEntries: ofKind(resources, 'ServiceEntry'),
    workloadEntries: ofKind(resources, 'WorkloadEntry'),
    peerAuthentications: ofKind(resources, 'PeerAuthentication'),
    registry: ServiceRegistry.build(resources),
    sidecars: ofKind(resources, 'Sidecar'),
  };
}

/** One destination a VirtualService sends (or mirrors) traffic to. */
export interface RoutedDestination {
  readonly destination: IstioDestination;
  /** `spec.http[0].route[1].destination`, `spec.http[0].mirror`, … */
  readonly path: string;
  readonly mirror: boolean;
}

/** Route destinations (tcp, tls, http, as istioctl walks them), then HTTP mirrors. */
export function routedDestinations(vs: VirtualService): RoutedDestination[] {
  const out: RoutedDestination[] = [];
  const l4 = (kind: 'tcp' | 'tls') =>
    vs.spec[kind].forEach((rule, i) => {
      rule.route.forEach((d, j) => {
        out.push({
          destination: d.destination,
          path: `spec.${kind}[${i}].route[${j}].destination`,
          mirror: false,
        });
      });
    });
  l4('tcp');
  l4('tls');
  vs.spec.http.forEach((rule, i) => {
    rule.route.forEach((d, j) => {
      out.push({
        destination: d.destination,
        path: `spec.http[${i}].route[${j}].destination`,
        mirror: false,
      });
    });
  });
  vs.spec.http.forEach((rule, i) => {
    if (rule.mirror !== null)
      out.push({ destination: rule.mirror, path: `spec.http[${i}].mirror`, mirror: true });
    rule.mirrors.forEach((m, j) => {
      out.push({
        destination: m.destination,
        path: `spec.http[${i}].mirrors[${j}].destination`,
        mirror: true,
      });
    });
  });
  return out;
}

/** True when a VirtualService serves sidecars: no `gateways`, or `mesh` among them. */
export function boundToMesh(vs: VirtualService): boolean {
  return vs.spec.gateways.length === 0 || vs.spec.gateways.includes('mesh');
}
