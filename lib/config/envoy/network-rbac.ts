/** `envoy.filters.network.rbac`: the network RBAC filter that may precede a tcp_proxy. */
import type { NetworkRbacConfig } from '../model.js';
import type { FieldReader, FinishRules } from '../reader.js';
import { readRbacRules } from './rbac.js';

export const NETWORK_RBAC_TYPE = 'type.googleapis.com/envoy.extensions.filters.network.rbac.v3.RBAC';

/** Filter names that mean the network RBAC filter (only for hints: Envoy picks by @type). */
export const NETWORK_RBAC_NAMES: readonly string[] = ['envoy.filters.network.rbac', 'envoy.rbac'];

const RULES: FinishRules = {
  unsupported: {
    matcher: 'use rules',
    shadow_matcher: 'use shadow_rules',
    delay_deny: 'a denied connection is closed at once',
  },
};

/** Decodes a network `RBAC` typed config; undefined when unusable (issues recorded). */
export function readNetworkRbac(r: FieldReader): NetworkRbacConfig | undefined {
  const statPrefix = r.requiredString('stat_prefix');
  const rules = r.object('rules');
  const shadow = r.object('shadow_rules');
  const out: NetworkRbacConfig = {
    statPrefix,
    rules: rules === undefined ? null : readRbacRules(rules),
    shadowRules: shadow === undefined ? null : readRbacRules(shadow),
    shadowRulesStatPrefix: r.string('shadow_rules_stat_prefix') ?? '',
  };
  // CONTINUOUS would re-check on every chunk, putting the engines on the data path; one check
  // per connection is what Istio configures.
  const enforcement = r.enumValue('enforcement_type', ['ONE_TIME_ON_FIRST_BYTE'] as const, ['CONTINUOUS']);
  r.finish(RULES);
  if (statPrefix === '' || (r.has('enforcement_type') && enforcement === undefined)) return undefined;
  return out;
}
