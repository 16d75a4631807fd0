/** `envoy.filters.http.rbac` configs (RBAC, RBACPerRoute) back to Envoy v3 JSON. */
import type {
  CidrRangeConfig,
  NetworkRbacConfig,
  PermissionConfig,
  PrincipalConfig,
  RbacRulesConfig,
  RbacSettingsConfig,
} from '../../model.js';
import { fields, type Json, unless } from './format.js';
import { encodeHeaderMatcher, encodeStringMatcher } from './matchers.js';
import { TYPE } from './type-urls.js';

function cidr(c: CidrRangeConfig): Json {
  return { address_prefix: c.addressPrefix, prefix_len: c.prefixLen };
}

/** The forms Permission and Principal share. */
function commonForm(p: Extract<PermissionConfig, { kind: 'any' | 'header' | 'url_path' }>): Json {
  switch (p.kind) {
    case 'any':
      return { any: true };
    case 'header':
      return { header: encodeHeaderMatcher(p.header) };
    case 'url_path':
      return { url_path: { path: encodeStringMatcher(p.path) } };
  }
}

function permission(p: PermissionConfig): Json {
  switch (p.kind) {
    case 'any':
    case 'header':
    case 'url_path':
      return commonForm(p);
    case 'and_rules':
    case 'or_rules':
      return { [p.kind]: { rules: p.rules.map(permission) } };
    case 'not_rule':
      return { not_rule: permission(p.rule) };
    case 'destination_ip':
      return { destination_ip: cidr(p.cidr) };
    case 'destination_port':
      return { destination_port: p.port };
    case 'destination_port_range':
      return { destination_port_range: { start: p.start, end: p.end } };
    case 'requested_server_name':
      return { requested_server_name: encodeStringMatcher(p.name) };
  }
}

function principal(p: PrincipalConfig): Json {
  switch (p.kind) {
    case 'any':
    case 'header':
    case 'url_path':
      return commonForm(p);
    case 'and_ids':
    case 'or_ids':
      return { [p.kind]: { ids: p.ids.map(principal) } };
    case 'not_id':
      return { not_id: principal(p.id) };
    case 'authenticated':
      return {
        authenticated:
          p.principalName === null ? {} : { principal_name: encodeStringMatcher(p.principalName) },
      };
    case 'direct_remote_ip':
    case 'remote_ip':
    case 'source_ip':
      return { [p.kind]: cidr(p.cidr) };
  }
}

function rules(r: RbacRulesConfig): Json {
  const policies: Json = {};
  for (const p of r.policies) {
    policies[p.name] = {
      permissions: p.permissions.map(permission),
      principals: p.principals.map(principal),
    };
  }
  return fields({ action: unless(r.action, 'ALLOW'), policies });
}

/** The fields of an `RBAC` message (without `@type`). */
export function encodeRbacSettings(s: RbacSettingsConfig): Json {
  return fields({
    rules: s.rules === null ? undefined : rules(s.rules),
    rules_stat_prefix: unless(s.rulesStatPrefix, ''),
    shadow_rules: s.shadowRules === null ? undefined : rules(s.shadowRules),
    shadow_rules_stat_prefix: unless(s.shadowRulesStatPrefix, ''),
  });
}

/** A network `RBAC` typed_config (with its `@type`); the default enforcement is left out. */
export function encodeNetworkRbac(n: NetworkRbacConfig): Json {
  return fields({
    '@type': TYPE.networkRbac,
    stat_prefix: n.statPrefix,
    rules: n.rules === null ? undefined : rules(n.rules),
    shadow_rules: n.shadowRules === null ? undefined : rules(n.shadowRules),
    shadow_rules_stat_prefix: unless(n.shadowRulesStatPrefix, ''),
  });
}
