/**
 * The service registry a sidecar sees without Kubernetes: one service per ServiceEntry host,
 * with endpoints from the entry's `endpoints` or from the WorkloadEntries its
 * `workloadSelector` picks (same namespace, as in Istio).
 */
import { hostMatches } from './hosts.js';
import type { ServiceEntry, ServicePort, WorkloadEntry, WorkloadEntrySpec } from './model.js';
import { ofKind, type SourcedResource, visibleFrom } from './sourced.js';
import { selects } from './workload.js';

/** One endpoint of a service: an inline ServiceEntry endpoint or a selected WorkloadEntry. */
export interface RegistryEndpoint {
  /** IP, or a DNS name for DNS resolution. */
  readonly address: string;
  /** Port name → port, overriding the service port's targetPort. */
  readonly ports: Readonly<Record<string, number>>;
  readonly labels: Readonly<Record<string, string>>;
  /** "" when unset. */
  readonly serviceAccount: string;
  /** ≥ 1. */
  readonly weight: number;
  readonly locality: string;
  /** `namespace/name` of the WorkloadEntry it came from; "" for an inline endpoint. */
  readonly workloadEntry: string;
}

/** One host of one ServiceEntry. */
export interface RegistryService {
  /** Lower-cased, as written (ServiceEntry hosts are not completed); may be `*.suffix`. */
  readonly hostname: string;
  readonly namespace: string;
  readonly ports: readonly ServicePort[];
  readonly resolution: ServiceEntry['spec']['resolution'];
  readonly location: ServiceEntry['spec']['location'];
  readonly endpoints: readonly RegistryEndpoint[];
  readonly exportTo: readonly string[];
  readonly subjectAltNames: readonly string[];
  /** The ServiceEntry that defined it. */
  readonly entry: SourcedResource<ServiceEntry>;
  /** Index of the host in the entry's `hosts`. */
  readonly hostIndex: number;
}

function endpointOf(spec: WorkloadEntrySpec, workloadEntry: string): RegistryEndpoint {
  return {
    address: spec.address,
    ports: spec.ports,
    labels: spec.labels,
    serviceAccount: spec.serviceAccount,
    weight: spec.weight > 0 ? spec.weight : 1,
    locality: spec.locality,
    workloadEntry,
  };
}

/** Services by hostname, built once per config snapshot. */
export class ServiceRegistry {
  private constructor(
    private readonly all: readonly RegistryService[],
    /** Later definitions of a host that an older ServiceEntry already defined. */
    readonly shadowed: readonly RegistryService[],
  ) {}

  static build(resources: readonly SourcedResource[]): ServiceRegistry {
    const workloadEntries = ofKind(resources, 'WorkloadEntry');
    const services: RegistryService[] = [];
    const shadowed: RegistryService[] = [];
    const seen = new Set<string>();
    for (const se of ofKind(resources, 'ServiceEntry')) {
      const { spec, metadata } = se.resource;
      const endpoints =
        spec.workloadSelector === null
          ? spec.endpoints.map((e) => endpointOf(e, ''))
          : selectWorkloadEntries(workloadEntries, metadata.namespace, spec.workloadSelector.labels);
      spec.hosts.forEach((h, hostIndex) => {
        const svc: RegistryService = {
          hostname: h.toLowerCase(),
          namespace: metadata.namespace,
          ports: spec.ports,
          resolution: spec.resolution,
          location: spec.location,
          endpoints,
          exportTo: spec.exportTo,
          subjectAltNames: spec.subjectAltNames,
          entry: se,
          hostIndex,
        };
        // Same host in two visible entries: istiod keeps the oldest; the analyzer reports the rest.
        const key = `${svc.hostname}`;
        if (seen.has(key)) shadowed.push(svc);
        else {
          seen.add(key);
          services.push(svc);
        }
      });
    }
    return new ServiceRegistry(services, shadowed);
  }

  /** Every service, in istiod's order of their ServiceEntries. */
  services(): readonly RegistryService[] {
    return this.all;
  }

  /** The services visible from `namespace` (exportTo). */
  visibleFrom(namespace: string): RegistryService[] {
    return this.all.filter((s) => visibleFrom(s.exportTo, s.namespace, namespace));
  }

  /**
   * The service an FQDN names, as seen from `namespace`: an exact host first, else the most
   * specific wildcard host covering it. undefined when none is visible.
   */
  find(fqdn: string, namespace: string): RegistryService | undefined {
    let best: RegistryService | undefined;
    for (const s of this.all) {
      if (!visibleFrom(s.exportTo, s.namespace, namespace)) continue;
      if (s.hostname === fqdn) return s;
      if (hostMatches(fqdn, s.hostname) && (best === undefined || s.hostname.length > best.hostname.length)) {
        best = s;
      }
    }
    return best;
  }

  /** Services whose host a pattern (`*.example.com`, an FQDN) covers, visible from `namespace`. */
  matching(pattern: string, namespace: string): RegistryService[] {
    return this.visibleFrom(namespace).filter(
      (s) => hostMatches(s.hostname, pattern) || hostMatches(pattern, s.hostname),
    );
  }
}

/** The port an endpoint serves a service port on: its named port, else targetPort, else the number. */
export function endpointPort(ep: RegistryEndpoint, port: ServicePort): number {
  const named = port.name === '' ? undefined : ep.ports[port.name];
  if (named !== undefined) return named;
  return port.targetPort > 0 ? port.targetPort : port.number;
}

function selectWorkloadEntries(
  entries: readonly SourcedResource<WorkloadEntry>[],
  namespace: string,
  selector: Readonly<Record<string, string>>,
): RegistryEndpoint[] {
  return entries
    .filter((w) => w.resource.metadata.namespace === namespace && selects(selector, w.resource.spec.labels))
    .map((w) => endpointOf(w.resource.spec, `${namespace}/${w.resource.metadata.name}`));
}
