/** `AuthorizationPolicy` spec: action, provider and rules (from / to / when). */
import { addIssue, type FieldReader } from '../reader.js';
import { workloadSelectorField } from './istio-common.js';
import type {
  AuthorizationPolicySpec,
  AuthzCondition,
  AuthzOperation,
  AuthzRule,
  AuthzSource,
} from './model.js';
import { isIpOrCidr } from './names.js';

const SOURCE_FIELDS = [
  'principals',
  'notPrincipals',
  'requestPrincipals',
  'notRequestPrincipals',
  'namespaces',
  'notNamespaces',
  'ipBlocks',
  'notIpBlocks',
  'remoteIpBlocks',
  'notRemoteIpBlocks',
] as const;
const OPERATION_FIELDS = [
  'hosts',
  'notHosts',
  'ports',
  'notPorts',
  'methods',
  'notMethods',
  'paths',
  'notPaths',
] as const;

/** Reads string lists, reporting empty strings and checking each value with `check`. */
function readLists<K extends string>(
  r: FieldReader,
  fields: readonly K[],
  check: (field: K, v: string) => string | null,
): Record<K, string[]> {
  const out = {} as Record<K, string[]>;
  for (const f of fields) {
    out[f] = r.strings(f);
    out[f].forEach((v, i) => {
      const reason = v === '' ? 'must not be empty' : check(f, v);
      if (reason !== null) addIssue(r.sink, `${r.at(f)}[${i}]`, reason);
    });
  }
  return out;
}

/** A list field holding at least one value (valid or not; bad values are reported already). */
function given(r: FieldReader, field: string): boolean {
  const v = r.raw(field);
  return Array.isArray(v) ? v.length > 0 : v !== undefined;
}

function portProblem(v: string): string | null {
  const n = /^\d+$/.test(v) ? Number(v) : 0;
  return n >= 1 && n <= 65_535 ? null : `"${v}" is not a port in the range 1–65535`;
}

function readSource(r: FieldReader, custom: boolean): AuthzSource {
  const out = readLists(r, SOURCE_FIELDS, (f, v) =>
    f.endsWith('pBlocks') && !isIpOrCidr(v) ? `invalid IP or CIDR "${v}"` : null,
  );
  if (!SOURCE_FIELDS.some((f) => given(r, f))) r.error(null, 'a source must set at least one field');
  if (custom) {
    for (const f of SOURCE_FIELDS) {
      if (!f.endsWith('pBlocks') && out[f].length > 0) r.error(f, 'is not supported with the CUSTOM action');
    }
  }
  r.finish({ unsupported: { serviceAccounts: '', notServiceAccounts: '' } });
  return out;
}

function readOperation(r: FieldReader): AuthzOperation {
  const out = readLists(r, OPERATION_FIELDS, (f, v) =>
    f === 'ports' || f === 'notPorts' ? portProblem(v) : null,
  );
  if (!OPERATION_FIELDS.some((f) => given(r, f))) r.error(null, 'an operation must set at least one field');
  r.finish();
  return out;
}

// Condition keys AuthorizationPolicy understands (`pkg/config/security` ValidateAttribute).
const EXACT_KEYS = new Set([
  'source.ip',
  'remote.ip',
  'source.namespace',
  'source.principal',
  'source.serviceAccount',
  'request.auth.principal',
  'request.auth.audiences',
  'request.auth.presenter',
  'destination.ip',
  'destination.port',
  'connection.sni',
]);

function conditionKeyProblem(key: string): string | null {
  if (EXACT_KEYS.has(key)) return null;
  if (/^request\.headers\[[^\]]+\]$/.test(key) || /^request\.auth\.claims\[.+\]$/.test(key)) return null;
  if (key.startsWith('experimental.envoy.filters.')) return null;
  return `unknown condition key "${key}"`;
}

function readCondition(r: FieldReader, custom: boolean): AuthzCondition {
  const key = r.requiredString('key');
  const check = (_: string, v: string): string | null => {
    if (key === 'source.ip' || key === 'remote.ip' || key === 'destination.ip') {
      return isIpOrCidr(v) ? null : `invalid IP or CIDR "${v}"`;
    }
    return key === 'destination.port' ? portProblem(v) : null;
  };
  const lists = readLists(r, ['values', 'notValues'] as const, check);
  if (key !== '') {
    const problem = conditionKeyProblem(key);
    if (problem !== null) r.error('key', problem);
    if (lists.values.length === 0 && lists.notValues.length === 0) {
      r.error(null, `at least one of values or notValues must be set for key ${key}`);
    }
    if (
      custom &&
      (key === 'source.namespace' || key === 'source.principal' || key.startsWith('request.auth.'))
    ) {
      r.error('key', `${key} is not supported with the CUSTOM action`);
    }
  }
  r.finish();
  return { key, values: lists.values, notValues: lists.notValues };
}

/** `from[].source` / `to[].operation`: an explicit empty list is an error, as in istiod. */
function section<T>(r: FieldReader, name: string, inner: string, read: (x: FieldReader) => T): T[] {
  const raw = r.raw(name);
  if (Array.isArray(raw) && raw.length === 0) {
    r.error(name, 'must not be empty (omit it to match anything)');
    return [];
  }
  const out: T[] = [];
  for (const e of r.objects(name)) {
    const x = e.requiredObject(inner);
    if (x !== undefined) out.push(read(x));
    e.finish();
  }
  return out;
}

function readRule(r: FieldReader, custom: boolean): AuthzRule {
  const out: AuthzRule = {
    from: section(r, 'from', 'source', (x) => readSource(x, custom)),
    to: section(r, 'to', 'operation', readOperation),
    when: r.objects('when').map((c) => readCondition(c, custom)),
  };
  r.finish();
  return out;
}

/** The `spec` of an AuthorizationPolicy. */
export function decodeAuthorizationPolicySpec(r: FieldReader): AuthorizationPolicySpec {
  const selector = workloadSelectorField(r, 'selector', 'matchLabels');
  const action = r.enumValue('action', ['ALLOW', 'DENY', 'AUDIT', 'CUSTOM'] as const) ?? 'ALLOW';
  const custom = action === 'CUSTOM';
  const p = r.object('provider');
  const provider = p?.string('name') ?? '';
  p?.finish();
  if (p !== undefined && !custom)
    r.error('provider', `provider is only allowed with the CUSTOM action, not ${action}`);
  const rules = r.objects('rules').map((x) => readRule(x, custom));
  if (custom && !r.has('rules')) {
    r.error(
      null,
      'a CUSTOM policy without rules never triggers; add an empty rule {} to apply it to every request',
    );
  } else if (custom && provider === '') {
    r.error(p === undefined ? null : 'provider', 'a CUSTOM policy needs provider.name');
  }
  if (action === 'DENY' && !r.has('rules')) {
    r.error(null, 'a DENY policy without rules never triggers; add an empty rule {} to deny every request');
  }
  r.finish({
    unsupported: { targetRef: 'waypoint and gateway targets', targetRefs: 'waypoint and gateway targets' },
  });
  return { selector, action, provider, rules };
}
