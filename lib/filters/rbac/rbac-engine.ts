import type { RbacRulesConfig } from '../../config/model.js';
import { compilePermission, compilePrincipal, type RbacMatcher, type RbacRequest } from './rbac-matchers.js';

/** One compiled policy: matches when any permission and any principal match. */
export interface CompiledPolicy {
  readonly name: string;
  /** `rbac_access_denied_matched_policy[<name>]`, built once. */
  readonly deniedDetails: string;
  readonly permissions: readonly RbacMatcher[];
  readonly principals: readonly RbacMatcher[];
}

export const DENIED_NO_POLICY = 'rbac_access_denied_matched_policy[none]';

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
  matchedPolicy(req: RbacRequest): CompiledPolicy | null {
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
