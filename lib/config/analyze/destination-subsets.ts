/**
 * IST0101 (host+subset): a destination naming a subset needs a DestinationRule for that host
 * defining it, else the route points at a cluster that does not exist (503 NR/UH).
 */
import { hostMatches, resolveHostname } from '../istio/hosts.js';
import type { DestinationRule } from '../istio/model.js';
import type { SourcedResource } from '../istio/sourced.js';
import { type AnalysisContext, routedDestinations } from './context.js';
import { type Finding, finding } from './finding.js';

/**
 * The DestinationRules istiod would use for `fqdn`: those naming it exactly, else those of the
 * most specific wildcard host covering it.
 */
export function rulesForHost(
  rules: readonly SourcedResource<DestinationRule>[],
  fqdn: string,
): SourcedResource<DestinationRule>[] {
  const hostOf = (r: SourcedResource<DestinationRule>) =>
    resolveHostname(r.resource.spec.host, r.resource.metadata.namespace);
  const exact = rules.filter((r) => hostOf(r) === fqdn);
  if (exact.length > 0) return exact;
  let best = '';
  for (const r of rules) {
    const h = hostOf(r);
    if (h.startsWith('*') && hostMatches(fqdn, h) && h.length > best.length) best = h;
  }
  return best === '' ? [] : rules.filter((r) => hostOf(r) === best);
}

/** IST0101 for each routed subset no DestinationRule of the host defines. */
export function analyzeDestinationSubsets(ctx: AnalysisContext): Finding[] {
  const out: Finding[] = [];
  for (const vs of ctx.virtualServices) {
    const ns = vs.resource.metadata.namespace;
    for (const d of routedDestinations(vs.resource)) {
      const { host, subset } = d.destination;
      if (subset === '') continue;
      const fqdn = resolveHostname(host, ns);
      const rules = rulesForHost(ctx.destinationRules, fqdn);
      if (rules.some((r) => r.resource.spec.subsets.some((s) => s.name === subset))) continue;
      const defined = rules.flatMap((r) => r.resource.spec.subsets.map((s) => s.name));
      out.push(
        finding(
          'IST0101',
          vs,
          `${d.path}.subset`,
          `Referenced ${d.mirror ? 'mirror' : 'host'}+subset in destinationrule not found: ${JSON.stringify(`${host}+${subset}`)}`,
          rules.length === 0
            ? `Add a DestinationRule for host ${fqdn} with a subset named ${subset}, or drop the subset.`
            : `Add subset ${subset} to DestinationRule ${rules.map((r) => `${r.resource.metadata.namespace}/${r.resource.metadata.name}`).join(', ')} (it defines ${defined.join(', ') || 'no subsets'}), or route to a defined subset.`,
        ),
      );
    }
  }
  return out;
}
