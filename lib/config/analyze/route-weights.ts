/**
 * SKF0001: a rule with several destinations whose weights are all 0. Weights are relative
 * (Istio ≥ 1.15) and 0-weight destinations are dropped, so nothing is left to route to. The
 * loader already rejects such YAML (reported as IST0106); this catches resources built by code.
 */
import type { AnalysisContext } from './context.js';
import { type Finding, finding } from './finding.js';

/** SKF0001 for every http/tcp/tls rule whose destinations all weigh 0. */
export function analyzeRouteWeights(ctx: AnalysisContext): Finding[] {
  const out: Finding[] = [];
  for (const vs of ctx.virtualServices) {
    for (const section of ['http', 'tcp', 'tls'] as const) {
      vs.resource.spec[section].forEach((rule, i) => {
        const { route } = rule;
        if (route.length < 2 || route.some((d) => d.weight > 0)) return;
        out.push(
          finding(
            'SKF0001',
            vs,
            `spec.${section}[${i}].route`,
            `All ${route.length} destinations of rule #${i} have weight 0, so the rule routes to no destination.`,
            'Give at least one destination a positive weight (weights are relative: 95 and 5 split 95 %/5 %).',
          ),
        );
      });
    }
  }
  return out;
}
