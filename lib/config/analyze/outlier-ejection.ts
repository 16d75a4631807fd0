/**
 * SKF0002: outlier detection allowed to eject (nearly) every host. When a shared dependency
 * blips, every instance returns 5xx together and is ejected together; with istiod's
 * `minHealthPercent` 0 (panic mode off) the cluster then has no host and answers 503 UH for the
 * whole ejection time. Envoy ejects a host only while `100·(ejected+1)/hosts ≤ maxEjectionPercent`.
 */
import type { IstioOutlierDetection, TrafficPolicy } from '../istio/model.js';
import type { RegistryService } from '../istio/registry.js';
import type { AnalysisContext } from './context.js';
import { servicesOfRule, subsetEndpoints } from './destination-rule-hosts.js';
import { type Finding, finding } from './finding.js';

interface Scope {
  readonly od: IstioOutlierDetection;
  readonly path: string;
  /** Known endpoint count for the scope; null when the registry does not know the host. */
  readonly hosts: number | null;
}

function ejects(od: IstioOutlierDetection): boolean {
  return (
    (od.consecutive5xxErrors ?? 5) > 0 ||
    (od.consecutiveGatewayErrors ?? 0) > 0 ||
    (od.splitExternalLocalOriginErrors && (od.consecutiveLocalOriginFailures ?? 5) > 0)
  );
}

function scopesOf(policy: TrafficPolicy | null, base: string, hosts: number | null): Scope[] {
  if (policy === null) return [];
  const out: Scope[] = [];
  if (policy.outlierDetection !== null)
    out.push({ od: policy.outlierDetection, path: `${base}.outlierDetection`, hosts });
  policy.portLevelSettings.forEach((p, i) => {
    if (p.outlierDetection !== null)
      out.push({ od: p.outlierDetection, path: `${base}.portLevelSettings[${i}].outlierDetection`, hosts });
  });
  return out;
}

function problem(s: Scope): string | null {
  const pct = s.od.maxEjectionPercent > 0 ? s.od.maxEjectionPercent : 10;
  if (pct >= 100) {
    const of = s.hosts === null ? '' : ` (all ${s.hosts} known endpoint${s.hosts === 1 ? '' : 's'})`;
    return `maxEjectionPercent ${pct} lets outlier detection eject every host${of}`;
  }
  if (s.hosts === null || pct <= 50) return null;
  const ejectable = Math.floor((pct * s.hosts) / 100);
  const left = s.hosts - ejectable;
  if (ejectable === 0 || left > 1) return null;
  return `maxEjectionPercent ${pct} lets outlier detection eject ${ejectable} of the ${s.hosts} known endpoints, leaving ${left} to take all the traffic`;
}

/** SKF0002 for every outlierDetection (rule, port, subset level) that can empty its cluster. */
export function analyzeOutlierEjection(ctx: AnalysisContext): Finding[] {
  const out: Finding[] = [];
  for (const dr of ctx.destinationRules) {
    const services: RegistryService[] = servicesOfRule(ctx, dr);
    const known = (labels: Readonly<Record<string, string>>) =>
      services.length === 0 ? null : subsetEndpoints(services, labels).length;
    const { spec } = dr.resource;
    const scopes = [
      ...scopesOf(spec.trafficPolicy, 'spec.trafficPolicy', known({})),
      ...spec.subsets.flatMap((s, i) =>
        scopesOf(s.trafficPolicy, `spec.subsets[${i}].trafficPolicy`, known(s.labels)),
      ),
    ];
    for (const s of scopes) {
      if (!ejects(s.od)) continue;
      const what = problem(s);
      if (what === null) continue;
      const panic =
        s.od.minHealthPercent > 0
          ? `below minHealthPercent ${s.od.minHealthPercent} Envoy's panic mode spreads traffic over every host again, ejected or not`
          : "with minHealthPercent 0 (istiod's default: panic mode off) requests then fail with 503 UH until the ejections expire";
      out.push(
        finding(
          'SKF0002',
          dr,
          `${s.path}.maxEjectionPercent`,
          `${what}; when a shared dependency fails, every instance errors at once and is ejected together, and ${panic}.`,
          'Set maxEjectionPercent to 30–50 so some hosts always stay in rotation, and fix the shared dependency rather than ejecting its callers.',
        ),
      );
    }
  }
  return out;
}
