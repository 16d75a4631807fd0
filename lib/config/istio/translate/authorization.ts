/**
 * AuthorizationPolicy → the RBAC HTTP filters istiod puts in a workload's inbound HCM, in its
 * filter order: CUSTOM (rejected: no ext_authz), an AUDIT filter (LOG: counted, never denies, so
 * it sees denied requests too), a DENY filter, then an ALLOW filter (only when an ALLOW policy
 * exists; none = allow). Policies
 * annotated `istio.io/dry-run: "true"` go to the filter's shadow rules. Each rule becomes one
 * RBAC policy named `ns[<ns>]-policy[<name>]-rule[<i>]`, as istiod names them.
 */
import type { ConfigIssue } from '../../errors.js';
import type { HttpFilterConfig, RbacPolicyConfig, RbacRulesConfig } from '../../model.js';
import type { AuthorizationPolicy } from '../model.js';
import { ofKind, resourceName, type SourcedResource } from '../sourced.js';
import { ROOT_NAMESPACE, selects, type WorkloadInfo } from '../workload.js';
import { rulePolicy, tcpRulePolicy, UnsupportedAuthz } from './authorization-rules.js';
import type { TranslateSink } from './types.js';

export const RBAC_FILTER_NAME = 'envoy.filters.http.rbac';
const DRY_RUN = 'istio.io/dry-run';
// istiod's shadow_rules_stat_prefix values.
const SHADOW_PREFIX = { ALLOW: 'istio_dry_run_allow_', DENY: 'istio_dry_run_deny_', LOG: '' } as const;

type Action = 'ALLOW' | 'DENY' | 'LOG';

/** Does the policy select this workload (its namespace, or mesh-wide from the root namespace)? */
export function appliesTo(ap: AuthorizationPolicy, workload: WorkloadInfo): boolean {
  const ns = ap.metadata.namespace;
  if (ns !== workload.namespace && ns !== ROOT_NAMESPACE) return false;
  const sel = ap.spec.selector;
  return sel === null || selects(sel.labels, workload.labels);
}

interface Group {
  /** Non-dry-run policies exist (an ALLOW group then enforces even with no rules). */
  enforced: boolean;
  dryRun: boolean;
  readonly rules: RbacPolicyConfig[];
  readonly shadow: RbacPolicyConfig[];
}

/** The rules of one RBAC filter istiod writes (one per action), HTTP or network. */
export interface AuthzRuleSet {
  readonly rules: RbacRulesConfig | null;
  readonly shadowRules: RbacRulesConfig | null;
  readonly shadowRulesStatPrefix: string;
}

function ruleSet(action: Action, g: Group): AuthzRuleSet | null {
  if (!g.enforced && !g.dryRun) return null;
  const byName = (a: RbacPolicyConfig, b: RbacPolicyConfig): number =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  const rules: RbacRulesConfig | null = g.enforced ? { action, policies: g.rules.sort(byName) } : null;
  const shadowRules: RbacRulesConfig | null = g.dryRun ? { action, policies: g.shadow.sort(byName) } : null;
  return { rules, shadowRules, shadowRulesStatPrefix: g.dryRun ? SHADOW_PREFIX[action] : '' };
}

/**
 * The RBAC filters for the workload's inbound HCM (to go before the router), from every
 * AuthorizationPolicy that selects it. Problems (CUSTOM, JWT, unsupported keys) go to
 * `sink.issues`: serving without a policy would allow what it denies.
 */
export function authorizationFilters(
  resources: readonly SourcedResource[],
  workload: WorkloadInfo,
  sink: TranslateSink,
): HttpFilterConfig[] {
  return authorizationRuleSets(resources, workload, sink.issues, false).map((r) => ({
    kind: 'rbac',
    name: RBAC_FILTER_NAME,
    ...r,
    rulesStatPrefix: '',
  }));
}

/**
 * The rule sets (AUDIT, DENY, ALLOW order) of every AuthorizationPolicy that selects the
 * workload, built for the HTTP filter or (`tcp`) for a TCP chain's network filter.
 */
export function authorizationRuleSets(
  resources: readonly SourcedResource[],
  workload: WorkloadInfo,
  issues: ConfigIssue[],
  tcp: boolean,
): AuthzRuleSet[] {
  const groups: Record<Action, Group> = {
    DENY: { enforced: false, dryRun: false, rules: [], shadow: [] },
    LOG: { enforced: false, dryRun: false, rules: [], shadow: [] },
    ALLOW: { enforced: false, dryRun: false, rules: [], shadow: [] },
  };
  for (const { resource: ap, file } of ofKind(resources, 'AuthorizationPolicy')) {
    if (!appliesTo(ap, workload)) continue;
    const { metadata, spec } = ap;
    if (spec.action === 'CUSTOM') {
      issues.push({
        file,
        path: 'spec.action',
        message: `${resourceName(ap)}: the CUSTOM action (external authorization) is not supported`,
      });
      continue;
    }
    const action: Action = spec.action === 'AUDIT' ? 'LOG' : spec.action;
    const dryRun = (metadata.annotations[DRY_RUN] ?? '').toLowerCase() === 'true';
    const policies: RbacPolicyConfig[] = [];
    let ok = true;
    spec.rules.forEach((rule, i) => {
      try {
        const name = `ns[${metadata.namespace}]-policy[${metadata.name}]-rule[${i}]`;
        const at = `spec.rules[${i}]`;
        const built = tcp ? tcpRulePolicy(rule, at, action) : rulePolicy(rule, at);
        if (built !== null) policies.push({ name, ...built });
      } catch (err) {
        if (!(err instanceof UnsupportedAuthz)) throw err;
        ok = false;
        issues.push({ file, path: err.field, message: `${resourceName(ap)}: ${err.message}` });
      }
    });
    if (!ok) continue;
    const g = groups[action];
    if (dryRun) {
      g.dryRun = true;
      g.shadow.push(...policies);
    } else {
      g.enforced = true;
      g.rules.push(...policies);
    }
  }
  const out: AuthzRuleSet[] = [];
  for (const action of ['LOG', 'DENY', 'ALLOW'] as const) {
    const r = ruleSet(action, groups[action]);
    if (r !== null) out.push(r);
  }
  return out;
}
