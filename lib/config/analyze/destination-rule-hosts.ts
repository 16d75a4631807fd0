/**
 * IST0174 and IST0173, as istioctl's `SubsetSelectPodAnalyzer`: a DestinationRule whose host
 * names no service is ignored by istiod; a subset whose labels select no endpoint of its
 * service gives a cluster with no hosts (503 UH). Endpoints are the ServiceEntry endpoints and
 * the WorkloadEntries they select, so subsets are checked only for hosts in that registry.
 */
import { resolveHostname } from '../istio/hosts.js';
import type { DestinationRule } from '../istio/model.js';
import type { RegistryEndpoint, RegistryService } from '../istio/registry.js';
import type { SourcedResource } from '../istio/sourced.js';
import { selects } from '../istio/workload.js';
import type { AnalysisContext } from './context.js';
import { type Finding, finding } from './finding.js';

/** The registry services a DestinationRule's host applies to (several for a wildcard host). */
export function servicesOfRule(
  ctx: AnalysisContext,
  dr: SourcedResource<DestinationRule>,
): RegistryService[] {
  const ns = dr.resource.metadata.namespace;
  const fqdn = resolveHostname(dr.resource.spec.host, ns);
  const svc = ctx.registry.find(fqdn, ns);
  if (svc !== undefined) return [svc];
  return fqdn.startsWith('*') ? ctx.registry.matching(fqdn, ns) : [];
}

/** The endpoints of `services` a subset's labels select. */
export function subsetEndpoints(
  services: readonly RegistryService[],
  labels: Readonly<Record<string, string>>,
): RegistryEndpoint[] {
  return services.flatMap((s) => s.endpoints.filter((e) => selects(labels, e.labels)));
}

/** IST0174 for rules without a service, IST0173 for subsets without endpoints. */
export function analyzeDestinationRuleHosts(ctx: AnalysisContext): Finding[] {
  const out: Finding[] = [];
  for (const dr of ctx.destinationRules) {
    const { host, subsets } = dr.resource.spec;
    const ns = dr.resource.metadata.namespace;
    const services = servicesOfRule(ctx, dr);
    if (services.length === 0) {
      out.push(
        finding(
          'IST0174',
          dr,
          'spec.host',
          `The host ${host} defined in the DestinationRule does not match any services in the mesh.`,
          `Check the spelling, use the FQDN for a service in another namespace, make the service's exportTo include ${ns}, or add a ServiceEntry for ${resolveHostname(host, ns)} (Skiff's registry is its ServiceEntries).`,
        ),
      );
      continue;
    }
    subsets.forEach((s, i) => {
      if (subsetEndpoints(services, s.labels).length > 0) return;
      const known = services.reduce((n, svc) => n + svc.endpoints.length, 0);
      const wanted = Object.entries(s.labels)
        .map(([k, v]) => `${k}=${v}`)
        .join(',');
      out.push(
        finding(
          'IST0173',
          dr,
          `spec.subsets[${i}].labels`,
          `The Subset ${s.name} defined in the DestinationRule does not select any pods. Which may lead to 503 UH (NoHealthyUpstream).`,
          `None of the ${known} known endpoint(s) of ${services.map((x) => x.hostname).join(', ')} carries ${wanted || 'these labels'}: fix the subset labels, label the WorkloadEntries/endpoints, or remove the subset.`,
        ),
      );
    });
  }
  return out;
}
