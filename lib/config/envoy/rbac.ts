/** `envoy.filters.http.rbac`: the RBAC filter config, its per-route override and their policies. */
import { isIP } from 'node:net';
import type {
  CidrRangeConfig,
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

/** `type.matcher.v3.PathMatcher` (`url_path`): only its `path` StringMatcher form exists. */
function pathMatcher(r: FieldReader): StringMatcherConfig | undefined {
  const o = r.object('url_path');
  if (o === undefined) return undefined;
  const p = o.requiredObject('path');
  o.finish();
  return p === undefined ? undefined : readStringMatcher(p);
}

/** The forms Permission and Principal share. */
type CommonForm = Extract<PermissionConfig, { kind: 'any' | 'header' | 'url_path' }>;

function readCommonForm(r: FieldReader, form: CommonForm['kind']): CommonForm | undefined {
  switch (form) {
    case 'any':
      return readAny(r) ? { kind: 'any' } : undefined;
    case 'header': {
      const o = r.object('header');
      const h = o === undefined ? undefined : readHeaderMatcher(o);
      return h === undefined ? undefined : { kind: 'header', header: h };
    }
    case 'url_path': {
      const p = pathMatcher(r);
      return p === undefined ? undefined : { kind: 'url_path', path: p };
    }
  }
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

/** Every usable entry of the object list `field` (the unusable ones have their issues recorded). */
function readEach<T>(r: FieldReader, field: string, read: (o: FieldReader) => T | undefined): T[] {
  const out: T[] = [];
  for (const o of r.objects(field)) {
    const x = read(o);
    if (x !== undefined) out.push(x);
  }
  return out;
}

/** `Permission.Set` (`rules`) / `Principal.Set` (`ids`) at `field`: at least one entry. */
function readSet<T>(
  r: FieldReader,
  field: string,
  list: 'rules' | 'ids',
  read: (o: FieldReader, depth: number) => T | undefined,
  depth: number,
): T[] {
  const set = r.object(field);
  if (set === undefined) return [];
  const out = readEach(set, list, (o) => read(o, depth + 1));
  if (out.length === 0 && set.list(list).length === 0)
    set.error(list, `at least one ${list === 'rules' ? 'rule' : 'id'} is required`);
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
    case 'header':
    case 'url_path':
      out = readCommonForm(r, form);
      break;
    case 'and_rules':
    case 'or_rules':
      out = { kind: form, rules: readSet(r, form, 'rules', readPermission, depth) };
      break;
    case 'not_rule': {
      const o = r.object('not_rule');
      const rule = o === undefined ? undefined : readPermission(o, depth + 1);
      out = rule === undefined ? undefined : { kind: 'not_rule', rule };
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
    case 'header':
    case 'url_path':
      out = readCommonForm(r, form);
      break;
    case 'and_ids':
    case 'or_ids':
      out = { kind: form, ids: readSet(r, form, 'ids', readPrincipal, depth) };
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
    case undefined:
      break;
    default:
      out = unsupportedForm(r, form);
  }
  r.finish();
  return out;
}

function readPolicy(name: string, r: FieldReader): RbacPolicyConfig {
  const permissions = readEach(r, 'permissions', (o) => readPermission(o));
  const principals = readEach(r, 'principals', (o) => readPrincipal(o));
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
