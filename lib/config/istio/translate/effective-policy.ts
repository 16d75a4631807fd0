/**
 * The traffic policy one cluster (`outbound|port|subset|host`) gets from a merged
 * DestinationRule, as istiod's `MergeSubsetTrafficPolicy` computes it: `portLevelSettings` for
 * the port replace the level's four sections wholesale (no inheritance, omitted ones take the
 * defaults), then the subset's policy overrides the destination's section by section. Each
 * section keeps the file and field path it was written at, for warnings.
 */
import type {
  ClientTlsSettings,
  ConnectionPoolSettings,
  IstioOutlierDetection,
  LoadBalancerSettings,
  PortTrafficPolicy,
  Subset,
  TrafficPolicy,
} from '../model.js';
import type { MergedDestinationRule, TranslateSink } from './types.js';

/** One section of a traffic policy and where it was written. */
export interface PolicySection<T> {
  readonly value: T;
  readonly file: string;
  /** Istio field path of the section, e.g. `spec.subsets[1].trafficPolicy.loadBalancer`. */
  readonly path: string;
}

/** The four sections istiod applies to a cluster; null = absent (Istio's defaults apply). */
export interface EffectivePolicy {
  readonly loadBalancer: PolicySection<LoadBalancerSettings> | null;
  readonly connectionPool: PolicySection<ConnectionPoolSettings> | null;
  readonly outlierDetection: PolicySection<IstioOutlierDetection> | null;
  readonly tls: PolicySection<ClientTlsSettings> | null;
}

const NO_POLICY: EffectivePolicy = {
  loadBalancer: null,
  connectionPool: null,
  outlierDetection: null,
  tls: null,
};

interface Where {
  readonly file: string;
  readonly path: string;
}

function section<T>(value: T | null, where: Where, name: string): PolicySection<T> | null {
  return value === null ? null : { value, file: where.file, path: `${where.path}.${name}` };
}

function sectionsOf(p: PortTrafficPolicy, where: Where): EffectivePolicy {
  return {
    loadBalancer: section(p.loadBalancer, where, 'loadBalancer'),
    connectionPool: section(p.connectionPool, where, 'connectionPool'),
    outlierDetection: section(p.outlierDetection, where, 'outlierDetection'),
    tls: section(p.tls, where, 'tls'),
  };
}

/** istiod's `GetPortLevelTrafficPolicy`: the first `portLevelSettings` entry for the port wins. */
function atPort(
  tp: TrafficPolicy,
  where: Where,
  port: number,
): { sections: EffectivePolicy; portLevel: boolean } {
  const i = tp.portLevelSettings.findIndex((p) => p.port === port);
  const pls = tp.portLevelSettings[i];
  if (pls === undefined) return { sections: sectionsOf(tp, where), portLevel: false };
  return {
    sections: sectionsOf(pls, { file: where.file, path: `${where.path}.portLevelSettings[${i}]` }),
    portLevel: true,
  };
}

function ruleWhere(rule: MergedDestinationRule): Where {
  const src =
    rule.sources.find((s) => s.resource.spec.trafficPolicy === rule.trafficPolicy) ?? rule.sources[0];
  return { file: src?.file ?? '', path: 'spec.trafficPolicy' };
}

function subsetWhere(rule: MergedDestinationRule, subset: Subset): Where {
  for (const s of rule.sources) {
    const i = s.resource.spec.subsets.indexOf(subset);
    if (i >= 0) return { file: s.file, path: `spec.subsets[${i}].trafficPolicy` };
  }
  return { file: rule.sources[0]?.file ?? '', path: `spec.subsets[${subset.name}].trafficPolicy` };
}

/** The policy for `subset` ("" = the whole service) on service port `port`. */
export function effectivePolicy(
  rule: MergedDestinationRule | null,
  subset: string,
  port: number,
): EffectivePolicy {
  if (rule === null) return NO_POLICY;
  const dr = rule.trafficPolicy === null ? null : atPort(rule.trafficPolicy, ruleWhere(rule), port).sections;
  const sub = subset === '' ? undefined : rule.subsets.find((s) => s.name === subset);
  if (sub === undefined || sub.trafficPolicy === null) return dr ?? NO_POLICY;
  const own = atPort(sub.trafficPolicy, subsetWhere(rule, sub), port);
  if (dr === null) return own.sections;
  const s = own.sections;
  // A subset's port-level entry replaces all four sections, like a destination-level one does.
  const take = own.portLevel;
  return {
    loadBalancer: take || s.loadBalancer !== null ? s.loadBalancer : dr.loadBalancer,
    connectionPool: take || s.connectionPool !== null ? s.connectionPool : dr.connectionPool,
    outlierDetection: take || s.outlierDetection !== null ? s.outlierDetection : dr.outlierDetection,
    tls: take || s.tls !== null ? s.tls : dr.tls,
  };
}

/**
 * Records a warning about a field of a section once: a rule's section is applied to every
 * cluster (port × subset) it reaches, and one line per section is enough.
 */
export function warnAt(
  sink: TranslateSink,
  at: { readonly file: string; readonly path: string },
  field: string,
  message: string,
): void {
  const path = field === '' ? at.path : `${at.path}.${field}`;
  if (sink.warnings.some((w) => w.file === at.file && w.path === path && w.message === message)) return;
  sink.warnings.push({ file: at.file, path, message });
}
