/**
 * IST0101 (gateway): a VirtualService bound to a gateway other than `mesh`. Skiff reads no
 * Gateway resources and runs only as a sidecar, so any other gateway is a missing reference and
 * the VirtualService's rules for it apply nowhere.
 */
import type { AnalysisContext } from './context.js';
import { type Finding, finding } from './finding.js';

/** IST0101 for each `spec.gateways` entry other than `mesh`. */
export function analyzeGateways(ctx: AnalysisContext): Finding[] {
  const out: Finding[] = [];
  for (const vs of ctx.virtualServices) {
    const { gateways } = vs.resource.spec;
    const meshToo = gateways.includes('mesh');
    gateways.forEach((g, i) => {
      if (g === 'mesh') return;
      out.push(
        finding(
          'IST0101',
          vs,
          `spec.gateways[${i}]`,
          `Referenced gateway not found: ${JSON.stringify(g)} (Skiff serves only the mesh gateway: sidecar traffic)`,
          meshToo
            ? `Remove ${g} from spec.gateways, or check it with istioctl against the cluster that runs that gateway; Skiff applies these rules to sidecar traffic only.`
            : `Add "mesh" to spec.gateways for these rules to apply to sidecar traffic; as written they apply to no traffic Skiff handles.`,
        ),
      );
    });
  }
  return out;
}
