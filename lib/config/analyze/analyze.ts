/**
 * Pre-flight analysis of Istio resources, Skiff's `istioctl analyze`: every analyzer runs over
 * one shared context and the findings come back in a deterministic order.
 */
import type { SourcedResource } from '../istio/sourced.js';
import { analyzeConflictingMeshHosts } from './conflicting-mesh-hosts.js';
import { type AnalysisContext, analysisContext } from './context.js';
import { analyzeDestinationHosts } from './destination-hosts.js';
import { analyzeDestinationRuleHosts } from './destination-rule-hosts.js';
import { analyzeDestinationSubsets } from './destination-subsets.js';
import { compareFindings, type Finding } from './finding.js';
import { analyzeGateways } from './gateways.js';
import { analyzeOutlierEjection } from './outlier-ejection.js';
import { analyzeRetryTimeouts } from './retry-timeout.js';
import { analyzeRouteWeights } from './route-weights.js';
import { analyzeSidecarTcpPorts } from './sidecar-tcp-ports.js';
import { analyzeStrictMtls } from './strict-mtls.js';
import { analyzeUnreachableRules } from './unreachable-rules.js';

const ANALYZERS: readonly ((ctx: AnalysisContext) => Finding[])[] = [
  analyzeDestinationHosts,
  analyzeDestinationSubsets,
  analyzeGateways,
  analyzeConflictingMeshHosts,
  analyzeUnreachableRules,
  analyzeDestinationRuleHosts,
  analyzeRouteWeights,
  analyzeOutlierEjection,
  analyzeRetryTimeouts,
  analyzeStrictMtls,
  analyzeSidecarTcpPorts,
];

/** Runs every analyzer over decoded Istio resources; findings sorted by file, resource, path, code. */
export function analyze(resources: readonly SourcedResource[]): Finding[] {
  const ctx = analysisContext(resources);
  return ANALYZERS.flatMap((a) => a(ctx)).sort(compareFindings);
}
