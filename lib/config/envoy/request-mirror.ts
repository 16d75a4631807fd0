import type { RequestMirrorPolicyConfig } from '../model.js';
import type { FieldReader } from '../reader.js';
import { readFractionalPercent } from './fault.js';
import { REQUEST_MIRROR_POLICY_RULES, RUNTIME_FRACTIONAL_PERCENT_RULES } from './field-rules.js';
import type { ClusterRef } from './route-action.js';

/** Envoy's default when `runtime_fraction` is absent: every request is mirrored. */
const ALWAYS = Object.freeze({ numerator: 100, denominator: 100 } as const);

/**
 * `RouteAction.request_mirror_policies[]`. Mirror clusters are pushed to `refs` so an unknown
 * name is reported like the route's own cluster (Envoy: "route: unknown shadow cluster").
 * Returns only well-formed entries; the caller drops the field when the list is empty.
 */
export function readRequestMirrorPolicies(r: FieldReader, refs: ClusterRef[]): RequestMirrorPolicyConfig[] {
  const out: RequestMirrorPolicyConfig[] = [];
  for (const m of r.objects('request_mirror_policies')) {
    const policy = readPolicy(m, refs);
    if (policy !== undefined) out.push(policy);
  }
  return out;
}

function readPolicy(m: FieldReader, refs: ClusterRef[]): RequestMirrorPolicyConfig | undefined {
  const which = m.oneOf(['cluster', 'cluster_header'], true);
  let cluster = '';
  if (which === 'cluster') {
    cluster = m.requiredString('cluster');
    if (cluster !== '') refs.push({ name: cluster, file: m.sink.file, path: m.at('cluster') });
  } else if (which === 'cluster_header') {
    m.skip('cluster_header');
    m.error(
      'cluster_header',
      'cluster_header is not supported yet in request mirror policies (name the mirror cluster with "cluster")',
    );
  }
  const fraction = readRuntimeFraction(m);
  const disableShadowHostSuffixAppend = m.bool('disable_shadow_host_suffix_append') ?? false;
  m.finish(REQUEST_MIRROR_POLICY_RULES);
  if (cluster === '' || fraction === undefined) return undefined;
  return { cluster, fraction, disableShadowHostSuffixAppend };
}

/**
 * `runtime_fraction` (a RuntimeFractionalPercent): `default_value` is required, as in Envoy.
 * `runtime_key` is accepted and never looked up: Skiff has no runtime layer, so the default
 * value applies (what Envoy does when its runtime does not set the key).
 */
function readRuntimeFraction(m: FieldReader): RequestMirrorPolicyConfig['fraction'] | undefined {
  const rf = m.object('runtime_fraction');
  if (rf === undefined) return m.has('runtime_fraction') ? undefined : ALWAYS;
  const missing = !rf.has('default_value');
  if (missing) rf.error(null, 'missing required field "default_value"');
  const fraction = readFractionalPercent(rf, 'default_value');
  rf.string('runtime_key');
  rf.finish(RUNTIME_FRACTIONAL_PERCENT_RULES);
  return missing ? undefined : fraction;
}
