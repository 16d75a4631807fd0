/** `envoy.filters.http.rbac`: the RBAC filter config, its per-route override and their policies. */
import { isIP } from 'node:net';
import type {
  CidrRangeConfig,
  HeaderMatcherConfig,
  PermissionConfig,
  PrincipalConfig,
  RbacPolicyConfig,
  RbacRulesConfig,
  RbacSettingsConfig,
  StringMatcherConfig,
} from '../model.js';
import type { FieldReader, FinishRules } from '../reader.js';
import { readHeaderMatcher, readStringMatcher } from './matchers.js';

export const RBAC_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC';
export const RBAC_PER_ROUTE_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBACPerRoute';

// Nesting deeper than this is a config mistake (or an attack on the decoder's stack).
const MAX_DEPTH = 64;

const FILTER_RULES: FinishRules = {
  ignored: ['track_per_rule_stats'],
  unsupported: { matcher: 'use rules', shadow_matcher: 'use shadow_rules' },
};
const RULES_RULES: FinishRules = { ignored: ['audit_logging_options'] };
const POLICY_RULES: FinishRules = {
  unsupported: { condition: 'CEL conditions', checked_condition: 'CEL conditions' },
};

const PERMISSION_FORMS = [
  'any',
  'and_rules',
  'or_rules',
  'not_rule',
  'header',
  'url_path',
  'destination_ip',
  'destination_port',
  'destination_port_range',
  'requested_server_name',
  'metadata',
  'matcher',
  'uri_template',
  'sourced_metadata',
] as const;
const PRINCIPAL_FORMS = [
  'any',
  'and_ids',
  'or_ids',
  'not_id',
  'authenticated',
  'direct_remote_ip',
  'remote_ip',
  'source_ip',
  'header',
  'url_path',
  'metadata',
  'filter_state',
  'sourced_metadata',
  'custom',
] as const;

/** `config.core.v3.CidrRange`. */
export function readCidr(r: FieldReader): CidrRangeConfig | undefined {
  const addressPrefix = r.requiredString('address_prefix');
  const len = r.int('prefix_len', 0, 128) ?? 0;
  r.finish();
  if (addressPrefix === '') return undefined;
  const family = isIP(addressPrefix);
  if (family === 0) {
    r.error('address_prefix', `"${addressPrefix}" is not an IP address`);
    return undefined;
  }
  // Envoy clamps an IPv4 prefix longer than 32 bits instead of rejecting it.
  return { addressPrefix, prefixLen: Math.min(len, family === 4 ? 32 : 128) };
}

function readAny(r: FieldReader): boolean {
  const v = r.bool('any');
  if (v === false) r.error('any', 'must be true when set');
  return v === true;
}

function stringMatcher(r: FieldReader, field: string): StringMatcherConfig | undefined {
  const o = r.object(field);
  return o === undefined ? undefined : readStringMatcher(o);
}

function header(r: FieldReader): HeaderMatcherConfig | undefined {
  const o = r.object('header');
  return o === undefined ? undefined : readHeaderMatcher(o);
}

/** `type.matcher.v3.PathMatcher` (`url_path`): only its `path` StringMatcher form exists. */
function pathMatcher(r: FieldReader): StringMatcherConfig | undefined {
  const o = r.object('url_path');
  if (o === undefined) return undefined;
  const p = o.requiredObject('path');
  o.finish();
  return p === undefined ? undefined : readStringMatcher(p);
}

function cidrField(r: FieldReader, field: string): CidrRangeConfig | undefined {
  const o = r.object(field);
  return o === undefined ? undefined : readCidr(o);
}

function unsupportedForm(r: FieldReader, form: string): undefined {
  r.skip(form);
  r.error(form, `${form} is not supported yet`);
  return undefined;
}

function permissionList(r: FieldReader, field: string, depth: number): PermissionConfig[] {
  const set = r.object(field);
  if (set === undefined) return [];
  const out: PermissionConfig[] = [];
  for (const p of set.objects('rules')) {
    const x = readPermission(p, depth + 1);
    if (x !== undefined) out.push(x);
  }
  if (out.length === 0 && set.list('rules').length === 0) set.error('rules', 'at least one rule is required');
  set.finish();
  return out;
}

/** `config.rbac.v3.Permission`. */
export function readPermission(r: FieldReader, depth = 0): PermissionConfig | undefined {
  if (depth > MAX_DEPTH) {
    r.error(null, `permissions nest deeper than ${MAX_DEPTH} levels`);
    return undefined;
  }
  const form = r.oneOf(PERMISSION_FORMS, true) as (typeof PERMISSION_FORMS)[number] | undefined;
  let out: PermissionConfig | undefined;
  switch (form) {
    case 'any':
      out = readAny(r) ? { kind: 'any' } : undefined;
      break;
    case 'and_rules':
    case 'or_rules':
      out = { kind: form, rules: permissionList(r, form, depth) };
      break;
    case 'not_rule': {
      const o = r.object('not_rule');
      const rule = o === undefined ? undefined : readPermission(o, depth + 1);
      out = rule === undefined ? undefined : { kind: 'not_rule', rule };
      break;
    }
    case 'header': {
      const h = header(r);
      out = h === undefined ? undefined : { kind: 'header', header: h };
      break;
    }
    case 'url_path': {
      const p = pathMatcher(r);
      out = p === undefined ? undefined : { kind: 'url_path', path: p };
      break;
    }
    case 'destination_ip': {
      const c = cidrField(r, form);
      out = c === undefined ? undefined : { kind: 'destination_ip', cidr: c };
      break;
    }
    case 'destination_port': {
      const port = r.int(form, 0, 65_535);
      out = port === undefined ? undefined : { kind: 'destination_port', port };
      break;
    }
    case 'destination_port_range': {
      const o = r.object(form);
      const start = o?.int('start', 0, 65_536) ?? 0;
      const end = o?.int('end', 0, 65_536) ?? 0;
      o?.finish();
      if (start >= end) r.error(form, 'start must be lower than end (end is exclusive)');
      out = { kind: 'destination_port_range', start, end };
      break;
    }
    case 'requested_server_name': {
      const m = stringMatcher(r, form);
      out = m === undefined ? undefined : { kind: 'requested_server_name', name: m };
      break;
    }
    case undefined:
      break;
    default:
      out = unsupportedForm(r, form);
  }
  r.finish();
  return out;
}

function principalList(r: FieldReader, field: string, depth: number): PrincipalConfig[] {
  const set = r.object(field);
  if (set === undefined) return [];
  const out: PrincipalConfig[] = [];
  for (const p of set.objects('ids')) {
    const x = readPrincipal(p, depth + 1);
    if (x !== undefined) out.push(x);
  }
  if (out.length === 0 && set.list('ids').length === 0) set.error('ids', 'at least one id is required');
  set.finish();
  return out;
}

/** `config.rbac.v3.Principal`. */
export function readPrincipal(r: FieldReader, depth = 0): PrincipalConfig | undefined {
  if (depth > MAX_DEPTH) {
    r.error(null, `principals nest deeper than ${MAX_DEPTH} levels`);
    return undefined;
  }
  const form = r.oneOf(PRINCIPAL_FORMS, true) as (typeof PRINCIPAL_FORMS)[number] | undefined;
  let out: PrincipalConfig | undefined;
  switch (form) {
    case 'any':
      out = readAny(r) ? { kind: 'any' } : undefined;
      break;
    case 'and_ids':
    case 'or_ids':
      out = { kind: form, ids: principalList(r, form, depth) };
      break;
    case 'not_id': {
      const o = r.object('not_id');
      const id = o === undefined ? undefined : readPrincipal(o, depth + 1);
      out = id === undefined ? undefined : { kind: 'not_id', id };
      break;
    }
    case 'authenticated': {
      const o = r.object(form);
      const name = o === undefined ? undefined : stringMatcher(o, 'principal_name');
      o?.finish();
      out = { kind: 'authenticated', principalName: name ?? null };
      break;
    }
    case 'direct_remote_ip':
    case 'remote_ip':
    case 'source_ip': {
      const c = cidrField(r, form);
      out = c === undefined ? undefined : { kind: form, cidr: c };
      break;
    }
    case 'header': {
      const h = header(r);
      out = h === undefined ? undefined : { kind: 'header', header: h };
      break;
    }
    case 'url_path': {
      const p = pathMatcher(r);
      out = p === undefined ? undefined : { kind: 'url_path', path: p };
      break;
    }
    case undefined:
      break;
    default:
      out = unsupportedForm(r, form);
  }
  r.finish();
  return out;
}

function readPolicy(name: string, r: FieldReader): RbacPolicyConfig {
  const permissions: PermissionConfig[] = [];
  const principals: PrincipalConfig[] = [];
  for (const p of r.objects('permissions')) {
    const x = readPermission(p);
    if (x !== undefined) permissions.push(x);
  }
  for (const p of r.objects('principals')) {
    const x = readPrincipal(p);
    if (x !== undefined) principals.push(x);
  }
  if (r.list('permissions').length === 0) r.error('permissions', 'at least one permission is required');
  if (r.list('principals').length === 0) r.error('principals', 'at least one principal is required');
  r.finish(POLICY_RULES);
  return { name, permissions, principals };
}

/** `config.rbac.v3.RBAC` (`rules` / `shadow_rules`). */
export function readRbacRules(r: FieldReader): RbacRulesConfig {
  const action = r.enumValue('action', ['ALLOW', 'DENY', 'LOG'] as const) ?? 'ALLOW';
  const policies: RbacPolicyConfig[] = [];
  const map = r.map('policies');
  if (map !== undefined) {
    // Envoy keeps policies in a std::map: the effective policy is the first match by name.
    for (const name of map.names().sort()) {
      const p = map.object(name);
      if (p !== undefined) policies.push(readPolicy(name, p));
    }
    map.finish();
  }
  r.finish(RULES_RULES);
  return { action, policies };
}

/** The `RBAC` message: of the http_filters entry, or inside `RBACPerRoute.rbac`. */
export function readRbacSettings(r: FieldReader | undefined): RbacSettingsConfig {
  const rules = r?.object('rules');
  const shadow = r?.object('shadow_rules');
  const out: RbacSettingsConfig = {
    rules: rules === undefined ? null : readRbacRules(rules),
    shadowRules: shadow === undefined ? null : readRbacRules(shadow),
    rulesStatPrefix: r?.string('rules_stat_prefix') ?? '',
    shadowRulesStatPrefix: r?.string('shadow_rules_stat_prefix') ?? '',
  };
  r?.finish(FILTER_RULES);
  return out;
}

/** `RBACPerRoute`: an absent `rbac` disables the filter on the route, as in Envoy. */
export function readRbacPerRoute(r: FieldReader): RbacSettingsConfig | null {
  const o = r.object('rbac');
  const out = o === undefined ? null : readRbacSettings(o);
  r.finish();
  return out;
}
