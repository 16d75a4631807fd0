/**
 * One AuthorizationPolicy rule → one RBAC policy, as istiod's authz model builds it: `from`
 * sources ORed, `to` operations ORed, `when` conditions ANDed; inside a source or operation the
 * fields are ANDed and their values ORed; `not*` fields are negated ORs.
 */
import type {
  HeaderMatcherConfig,
  PermissionConfig,
  PrincipalConfig,
  StringMatcherConfig,
} from '../../model.js';
import type { AuthzCondition, AuthzOperation, AuthzRule, AuthzSource } from '../model.js';

/** A rule the translation cannot express; `field` is relative to the rule. */
export class UnsupportedAuthz extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

export const JWT_UNSUPPORTED = 'JWT (RequestAuthentication) is not supported';

/** The RBAC action a rule is built for; `null` = the HTTP filter. */
type TcpAction = 'ALLOW' | 'DENY' | 'LOG' | null;

/**
 * An ALLOW rule with an HTTP-only field, built for a TCP chain: istiod leaves the whole rule out,
 * so the policy allows less (DENY and AUDIT rules instead lose the field and match more).
 */
class SkipTcpRule extends Error {}

/** `build()` for HTTP; on TCP an HTTP-only field present drops (DENY/LOG) or skips the rule (ALLOW). */
function httpOnly<T>(tcp: TcpAction, present: boolean, build: () => T[]): T[] {
  if (tcp === null) return build();
  if (!present) return [];
  if (tcp === 'ALLOW') throw new SkipTcpRule();
  return [];
}

function exact(value: string, ignoreCase = false): StringMatcherConfig {
  return { kind: 'exact', value, ignoreCase };
}

function reEscape(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
}

/** Istio's string forms: `*` presence, `x*` prefix, `*x` suffix, else exact. */
export function istioMatcher(v: string, ignoreCase = false, prefix = ''): StringMatcherConfig {
  if (v === '*') return { kind: 'safe_regex', regex: '.+', ignoreCase: false };
  if (v.endsWith('*')) return { kind: 'prefix', value: prefix + v.slice(0, -1), ignoreCase };
  if (v.startsWith('*')) return { kind: 'suffix', value: v.slice(1), ignoreCase };
  return exact(prefix + v, ignoreCase);
}

/** RBAC's combinators for permissions or principals; a single entry is used as is. */
interface Combinators<T> {
  readonly or: (list: T[]) => T;
  /** `any` when empty. */
  readonly and: (list: T[]) => T;
  readonly not: (x: T) => T;
}

const PERMISSIONS: Combinators<PermissionConfig> = {
  or: (list) => (list.length === 1 ? list[0]! : { kind: 'or_rules', rules: list }),
  and: (list) =>
    list.length === 0 ? { kind: 'any' } : list.length === 1 ? list[0]! : { kind: 'and_rules', rules: list },
  not: (rule) => ({ kind: 'not_rule', rule }),
};

const PRINCIPALS: Combinators<PrincipalConfig> = {
  or: (list) => (list.length === 1 ? list[0]! : { kind: 'or_ids', ids: list }),
  and: (list) =>
    list.length === 0 ? { kind: 'any' } : list.length === 1 ? list[0]! : { kind: 'and_ids', ids: list },
  not: (id) => ({ kind: 'not_id', id }),
};

function header(name: string, m: StringMatcherConfig): { kind: 'header'; header: HeaderMatcherConfig } {
  return {
    kind: 'header',
    header: { name, match: { kind: 'string', matcher: m }, invert: false, treatMissingAsEmpty: false },
  };
}

function cidr(v: string): { addressPrefix: string; prefixLen: number } {
  const slash = v.indexOf('/');
  if (slash >= 0) return { addressPrefix: v.slice(0, slash), prefixLen: Number(v.slice(slash + 1)) };
  return { addressPrefix: v, prefixLen: v.includes(':') ? 128 : 32 };
}

/** `cluster.local/ns/x/sa/y` → the peer's URI SAN `spiffe://cluster.local/ns/x/sa/y`. */
function principalId(v: string): PrincipalConfig {
  const m = v.startsWith('*') && v !== '*' ? istioMatcher(v) : istioMatcher(v, false, 'spiffe://');
  return { kind: 'authenticated', principalName: m };
}

// A namespace as a SAN regex: any trust domain, then /ns/<ns>/, then anything (Istio's * forms too).
function namespaceId(v: string): PrincipalConfig {
  const seg =
    v === '*'
      ? '[^/]+'
      : v.endsWith('*')
        ? `${reEscape(v.slice(0, -1))}[^/]*`
        : v.startsWith('*')
          ? `[^/]*${reEscape(v.slice(1))}`
          : reEscape(v);
  return {
    kind: 'authenticated',
    principalName: { kind: 'safe_regex', regex: `.*/ns/${seg}/.*`, ignoreCase: false },
  };
}

function pathPermission(v: string, field: string): PermissionConfig {
  if (v.includes('{')) throw new UnsupportedAuthz(field, `path templates ("${v}") are not supported`);
  return { kind: 'url_path', path: istioMatcher(v) };
}

/** Values ORed, and for `not*` values the negated OR; empty when both lists are empty. */
function field<T>(
  c: Combinators<T>,
  values: readonly string[],
  notValues: readonly string[],
  one: (v: string) => T,
): T[] {
  const out: T[] = [];
  if (values.length > 0) out.push(c.or(values.map(one)));
  if (notValues.length > 0) out.push(c.not(c.or(notValues.map(one))));
  return out;
}

const directIp = (v: string): PrincipalConfig => ({ kind: 'direct_remote_ip', cidr: cidr(v) });
const remoteIp = (v: string): PrincipalConfig => ({ kind: 'remote_ip', cidr: cidr(v) });
const destinationPort = (v: string): PermissionConfig => ({ kind: 'destination_port', port: Number(v) });
const destinationIp = (v: string): PermissionConfig => ({ kind: 'destination_ip', cidr: cidr(v) });
const serverName = (v: string): PermissionConfig => ({
  kind: 'requested_server_name',
  name: istioMatcher(v),
});

function operation(op: AuthzOperation, at: string, tcp: TcpAction): PermissionConfig {
  const authority = (v: string): PermissionConfig => header(':authority', istioMatcher(v, true));
  const method = (v: string): PermissionConfig => header(':method', istioMatcher(v));
  const has = (a: readonly string[], b: readonly string[]): boolean => a.length + b.length > 0;
  return PERMISSIONS.and([
    ...httpOnly(tcp, has(op.hosts, op.notHosts), () => field(PERMISSIONS, op.hosts, op.notHosts, authority)),
    ...field(PERMISSIONS, op.ports, op.notPorts, destinationPort),
    ...httpOnly(tcp, has(op.methods, op.notMethods), () =>
      field(PERMISSIONS, op.methods, op.notMethods, method),
    ),
    ...httpOnly(tcp, has(op.paths, op.notPaths), () => [
      ...field(PERMISSIONS, op.paths, [], (v) => pathPermission(v, `${at}.paths`)),
      ...field(PERMISSIONS, [], op.notPaths, (v) => pathPermission(v, `${at}.notPaths`)),
    ]),
  ]);
}

function source(src: AuthzSource, at: string, tcp: TcpAction): PrincipalConfig {
  // Request principals come from a JWT: HTTP-only, so on TCP they are dropped or skip the rule.
  if (tcp !== null)
    httpOnly(tcp, src.requestPrincipals.length + src.notRequestPrincipals.length > 0, () => []);
  else if (src.requestPrincipals.length > 0)
    throw new UnsupportedAuthz(`${at}.requestPrincipals`, JWT_UNSUPPORTED);
  else if (src.notRequestPrincipals.length > 0) {
    throw new UnsupportedAuthz(`${at}.notRequestPrincipals`, JWT_UNSUPPORTED);
  }
  return PRINCIPALS.and([
    ...field(PRINCIPALS, src.principals, src.notPrincipals, principalId),
    ...field(PRINCIPALS, src.namespaces, src.notNamespaces, namespaceId),
    ...field(PRINCIPALS, src.ipBlocks, src.notIpBlocks, directIp),
    ...field(PRINCIPALS, src.remoteIpBlocks, src.notRemoteIpBlocks, remoteIp),
  ]);
}

interface ConditionParts {
  readonly permissions: PermissionConfig[];
  readonly principals: PrincipalConfig[];
}

function condition(c: AuthzCondition, at: string, out: ConditionParts, tcp: TcpAction): void {
  const key = c.key;
  if (tcp !== null && key.startsWith('request.')) {
    httpOnly(tcp, true, () => []);
    return;
  }
  const h = /^request\.headers\[(.+)\]$/.exec(key);
  if (h !== null) {
    const name = h[1]!.toLowerCase();
    out.principals.push(...field(PRINCIPALS, c.values, c.notValues, (v) => header(name, istioMatcher(v))));
    return;
  }
  switch (key) {
    case 'source.ip':
      out.principals.push(...field(PRINCIPALS, c.values, c.notValues, directIp));
      return;
    case 'remote.ip':
      out.principals.push(...field(PRINCIPALS, c.values, c.notValues, remoteIp));
      return;
    case 'source.principal':
      out.principals.push(...field(PRINCIPALS, c.values, c.notValues, principalId));
      return;
    case 'source.namespace':
      out.principals.push(...field(PRINCIPALS, c.values, c.notValues, namespaceId));
      return;
    case 'destination.port':
      out.permissions.push(...field(PERMISSIONS, c.values, c.notValues, destinationPort));
      return;
    case 'destination.ip':
      out.permissions.push(...field(PERMISSIONS, c.values, c.notValues, destinationIp));
      return;
    case 'connection.sni':
      out.permissions.push(...field(PERMISSIONS, c.values, c.notValues, serverName));
      return;
  }
  if (key.startsWith('request.auth.')) throw new UnsupportedAuthz(`${at}.key`, `${key}: ${JWT_UNSUPPORTED}`);
  throw new UnsupportedAuthz(`${at}.key`, `condition key "${key}" is not supported`);
}

interface RulePolicy {
  permissions: PermissionConfig[];
  principals: PrincipalConfig[];
}

function buildRule(rule: AuthzRule, at: string, tcp: TcpAction): RulePolicy {
  const parts: ConditionParts = { permissions: [], principals: [] };
  if (rule.to.length > 0) {
    parts.permissions.push(
      PERMISSIONS.or(rule.to.map((op, i) => operation(op, `${at}.to[${i}].operation`, tcp))),
    );
  }
  if (rule.from.length > 0) {
    parts.principals.push(PRINCIPALS.or(rule.from.map((s, i) => source(s, `${at}.from[${i}].source`, tcp))));
  }
  rule.when.forEach((c, i) => {
    condition(c, `${at}.when[${i}]`, parts, tcp);
  });
  return {
    permissions: [PERMISSIONS.and(parts.permissions)],
    principals: [PRINCIPALS.and(parts.principals)],
  };
}

/** The RBAC permission and principal of one rule (each a single entry, as istiod writes them). */
export function rulePolicy(rule: AuthzRule, at: string): RulePolicy {
  return buildRule(rule, at, null);
}

/**
 * The rule as istiod builds it for a TCP chain's network RBAC filter of `action`: HTTP-only
 * fields (hosts, methods, paths, request principals, `request.*` conditions) make an ALLOW rule
 * skipped (null) and are left out of DENY and AUDIT rules.
 */
export function tcpRulePolicy(
  rule: AuthzRule,
  at: string,
  action: 'ALLOW' | 'DENY' | 'LOG',
): RulePolicy | null {
  try {
    return buildRule(rule, at, action);
  } catch (err) {
    if (err instanceof SkipTcpRule) return null;
    throw err;
  }
}
