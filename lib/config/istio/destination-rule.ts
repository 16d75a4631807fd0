/** `DestinationRule` spec: host, traffic policy, subsets, exportTo, workload selector. */
import type { FieldReader } from '../reader.js';
import { exportToField, labelsField, workloadSelectorField } from './istio-common.js';
import type { DestinationRuleSpec, Subset } from './model.js';
import { isDns1123Label, isWildcardDomain } from './names.js';
import { readTrafficPolicy } from './traffic-policy.js';

function readSubset(r: FieldReader): Subset {
  const name = r.requiredString('name');
  if (name !== '' && !isDns1123Label(name)) r.error('name', `invalid subset name "${name}"`);
  const tp = r.object('trafficPolicy');
  const out: Subset = {
    name,
    labels: labelsField(r, 'labels'),
    trafficPolicy: tp === undefined ? null : readTrafficPolicy(tp),
  };
  r.finish();
  return out;
}

/** The `spec` of a DestinationRule in `namespace`. */
export function decodeDestinationRuleSpec(r: FieldReader, namespace: string): DestinationRuleSpec {
  const host = r.requiredString('host');
  if (host !== '' && !isWildcardDomain(host, true)) r.error('host', `invalid host "${host}"`);
  const tp = r.object('trafficPolicy');
  const subsets = r.objects('subsets').map(readSubset);
  const seen = new Set<string>();
  for (const s of subsets) {
    if (seen.has(s.name)) r.error('subsets', `duplicate subset name "${s.name}"`);
    seen.add(s.name);
  }
  const workloadSelector = workloadSelectorField(r, 'workloadSelector', 'matchLabels');
  const exportTo = exportToField(r, namespace, false);
  if (workloadSelector !== null && exportTo.some((e) => e !== '.' && e !== namespace)) {
    r.error(
      'exportTo',
      'a DestinationRule with a workloadSelector can only be exported to its own namespace',
    );
  }
  const out: DestinationRuleSpec = {
    host,
    trafficPolicy: tp === undefined ? null : readTrafficPolicy(tp),
    subsets,
    exportTo,
    workloadSelector,
  };
  r.finish();
  return out;
}
