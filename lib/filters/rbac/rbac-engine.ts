import type { RbacRulesConfig } from '../../config/model.js';
import type { RbacStats } from '../../stats/rbac-stats.js';
import { compilePermission, compilePrincipal, type RbacMatcher, type RbacRequest } from './rbac-matchers.js';

/** One compiled policy: matches when any permission and any principal match. */
interface CompiledPolicy {
  readonly name: string;
  /** `rbac_access_denied_matched_policy[<name>]`, built once. */
  readonly deniedDetails: string;
  readonly permissions: readonly RbacMatcher[];
  readonly principals: readonly RbacMatcher[];
}

const DENIED_NO_POLICY = 'rbac_access_denied_matched_policy[none]';

function any(list: readonly RbacMatcher[], req: RbacRequest): boolean {
  for (const m of list) if (m.matches(req)) return true;
  return false;
}

/**
 * Envoy's RoleBasedAccessControlEngine for one `rules` (or `shadow_rules`) block: policies in
 * name order, the first match is the effective policy.
 */
export class RbacEngine {
  readonly action: 'ALLOW' | 'DENY' | 'LOG';
  private readonly policies: readonly CompiledPolicy[];

  /** `network`: evaluated per connection (network RBAC), where header and url_path never match. */
  constructor(cfg: RbacRulesConfig, where: string, network = false) {
    this.action = cfg.action;
    this.policies = cfg.policies.map((p) => {
      const at = `${where}.policies[${p.name}]`;
      return {
        name: p.name,
        deniedDetails: `rbac_access_denied_matched_policy[${p.name}]`,
        permissions: p.permissions.map((x, i) => compilePermission(x, `${at}.permissions[${i}]`, network)),
        principals: p.principals.map((x, i) => compilePrincipal(x, `${at}.principals[${i}]`, network)),
      };
    });
  }

  /** The first policy the request matches, or null. */
  private matchedPolicy(req: RbacRequest): CompiledPolicy | null {
    for (const p of this.policies) if (any(p.permissions, req) && any(p.principals, req)) return p;
    return null;
  }

  /**
   * Null when the request is allowed, else the response code details of the denial. ALLOW
   * allows iff a policy matches, DENY denies iff one does, LOG always allows.
   */
  deny(req: RbacRequest): string | null {
    const matched = this.matchedPolicy(req);
    switch (this.action) {
      case 'ALLOW':
        return matched === null ? DENIED_NO_POLICY : null;
      case 'DENY':
        return matched === null ? null : matched.deniedDetails;
      default:
        return null;
    }
  }
}

/**
 * The enforced and shadow engines of one RBAC config: the HTTP filter's (or one route's
 * override) or a network RBAC filter's (`network`: per connection).
 */
export class RbacEngines {
  readonly rules: RbacEngine | null;
  readonly shadow: RbacEngine | null;

  constructor(
    cfg: { readonly rules: RbacRulesConfig | null; readonly shadowRules: RbacRulesConfig | null },
    where: string,
    network = false,
  ) {
    this.rules = cfg.rules === null ? null : new RbacEngine(cfg.rules, `${where}.rules`, network);
    this.shadow =
      cfg.shadowRules === null ? null : new RbacEngine(cfg.shadowRules, `${where}.shadow_rules`, network);
  }

  /**
   * Envoy's decision with its counters: shadow rules are evaluated first and only counted; then
   * null when the enforced rules allow (or there are none), else the denial's details.
   */
  check(req: RbacRequest, stats: RbacStats): string | null {
    const shadow = this.shadow;
    if (shadow !== null) {
      if (shadow.deny(req) === null) stats.shadowAllowed.inc();
      else stats.shadowDenied.inc();
    }
    const rules = this.rules;
    if (rules === null) return null;
    const details = rules.deny(req);
    if (details === null) stats.allowed.inc();
    else stats.denied.inc();
    return details;
  }
}
