/**
 * AuthorizationPolicy → the network RBAC filters istiod puts before the tcp_proxy of a
 * workload's inbound TCP chains (its `BuildTCP`): the same AUDIT, DENY, ALLOW filters as for
 * HTTP, stat prefix `tcp.`, with the rules built for TCP (see `tcpRulePolicy`).
 */
import type { NetworkRbacConfig } from '../../model.js';
import type { SourcedResource } from '../sourced.js';
import type { WorkloadInfo } from '../workload.js';
import { authorizationRuleSets } from './authorization.js';
import type { TranslateSink } from './types.js';

/** istiod's `RBACTCPFilterStatPrefix`: Envoy then counts `tcp.rbac.allowed` … */
export const ISTIO_TCP_RBAC_STAT_PREFIX = 'tcp.';

/**
 * The network RBAC filters for the workload's inbound TCP chains; empty when no policy applies.
 * Problems are the ones the HTTP filters report too, so each is recorded once.
 */
export function networkRbacFilters(
  resources: readonly SourcedResource[],
  workload: WorkloadInfo,
  sink: TranslateSink,
): NetworkRbacConfig[] {
  const issues: TranslateSink['issues'] = [];
  const sets = authorizationRuleSets(resources, workload, issues, true);
  for (const i of issues) {
    const seen = sink.issues.some((o) => o.file === i.file && o.path === i.path && o.message === i.message);
    if (!seen) sink.issues.push(i);
  }
  return sets.map((r) => ({ statPrefix: ISTIO_TCP_RBAC_STAT_PREFIX, ...r }));
}
