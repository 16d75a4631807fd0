/**
 * Which DestinationRule a sidecar applies to a service host, as istiod decides it per proxy
 * (`PushContext.SetDestinationRules`, `destinationRule`, `SidecarScope.DestinationRule`): rules
 * of one namespace for one host are merged, then the proxy's namespace is searched first, then
 * the service's namespace, then the root namespace, each time the most specific host wins.
 */
import { hostMatches, resolveHostname } from '../hosts.js';
import type { DestinationRule, Subset, TrafficPolicy } from '../model.js';
import { istioOrder, type SourcedResource } from '../sourced.js';
import { DOMAIN_SUFFIX, ROOT_NAMESPACE, selects, type WorkloadInfo } from '../workload.js';
import type { MergedDestinationRule } from './types.js';

type Labels = Readonly<Record<string, string>>;

/** One consolidated rule while the index is built; handed out as a `MergedDestinationRule`. */
interface Consolidated extends MergedDestinationRule {
  readonly namespace: string;
  /** The first merged rule's `workloadSelector` labels; null for a rule without one. */
  readonly selector: Labels | null;
  readonly sources: SourcedResource<DestinationRule>[];
  readonly subsets: Subset[];
  trafficPolicy: TrafficPolicy | null;
}

/** The rules of one namespace (or visibility class) by resolved host. */
class HostRules {
  readonly byHost = new Map<string, Consolidated[]>();
  /** Namespaces a host's rules are exported to (`.` resolved); empty = everywhere. */
  readonly exportTo = new Map<string, ReadonlySet<string>>();

  /** istiod's `mergeDestinationRule`, given the rules oldest first. */
  add(src: SourcedResource<DestinationRule>, host: string, exportTo: ReadonlySet<string>): void {
    const { spec } = src.resource;
    const selector = spec.workloadSelector?.labels ?? null;
    const list = this.byHost.get(host);
    if (list === undefined) {
      this.byHost.set(host, [consolidated(src, host)]);
      this.exportTo.set(host, exportTo);
      return;
    }
    let addAsNew = true;
    for (const existing of list) {
      // Rules with different selectors stay apart; a rule with a selector is also merged into
      // the catch-all entry (and kept as its own entry), exactly as istiod does.
      if (selector !== null && existing.selector !== null && !sameLabels(selector, existing.selector))
        continue;
      if (
        (selector === null && existing.selector === null) ||
        (selector !== null && sameLabels(selector, existing.selector ?? {}))
      ) {
        addAsNew = false;
      }
      existing.sources.push(src);
      const names = new Set(existing.subsets.map((s) => s.name));
      // Duplicate subset names: the older rule's subset wins (istiod counts a DuplicatedSubsets metric).
      for (const s of spec.subsets) if (!names.has(s.name)) existing.subsets.push(s);
      existing.trafficPolicy ??= spec.trafficPolicy;
    }
    if (addAsNew) list.push(consolidated(src, host));
    if ((this.exportTo.get(host)?.size ?? 0) === 0 && exportTo.size > 0) this.exportTo.set(host, exportTo);
  }

  /** istiod's `MostSpecificHostMatch`: the exact host, else the longest wildcard covering it. */
  match(fqdn: string): { host: string; rules: Consolidated[] } | null {
    const exact = this.byHost.get(fqdn);
    if (exact !== undefined) return { host: fqdn, rules: exact };
    let best: string | null = null;
    for (const h of this.byHost.keys()) {
      if (h.startsWith('*') && hostMatches(fqdn, h) && (best === null || h.length > best.length)) best = h;
    }
    return best === null ? null : { host: best, rules: this.byHost.get(best) ?? [] };
  }
}

function consolidated(src: SourcedResource<DestinationRule>, host: string): Consolidated {
  const { spec, metadata } = src.resource;
  return {
    host,
    namespace: metadata.namespace,
    selector: spec.workloadSelector?.labels ?? null,
    sources: [src],
    subsets: [...spec.subsets],
    trafficPolicy: spec.trafficPolicy,
  };
}

function sameLabels(a: Labels, b: Labels): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => b[k] === a[k]);
}

function getOrCreate(map: Map<string, HostRules>, ns: string): HostRules {
  let rules = map.get(ns);
  if (rules === undefined) map.set(ns, (rules = new HostRules()));
  return rules;
}

/** `<name>.<ns>.svc.<suffix>` → `<ns>`; "" for hosts that do not name a Kubernetes service. */
function kubernetesNamespace(fqdn: string): string {
  const suffix = `.svc.${DOMAIN_SUFFIX}`;
  if (!fqdn.endsWith(suffix)) return '';
  const parts = fqdn.slice(0, -suffix.length).split('.');
  return parts.length === 2 ? (parts[1] ?? '') : '';
}

/** The DestinationRules one workload's sidecar sees, built once per config snapshot. */
export class DestinationRuleIndex {
  private constructor(
    private readonly workload: WorkloadInfo,
    /** Rules a proxy of the namespace uses first (exported to `.`, `*`, its namespace, or unset). */
    private readonly namespaceLocal: ReadonlyMap<string, HostRules>,
    /** Rules other namespaces may use (everything not private to its own namespace). */
    private readonly exported: ReadonlyMap<string, HostRules>,
    /** Root-namespace rules private to it: only proxies in the root namespace use them. */
    private readonly rootLocal: HostRules,
  ) {}

  static build(
    rules: readonly SourcedResource<DestinationRule>[],
    workload: WorkloadInfo,
  ): DestinationRuleIndex {
    const namespaceLocal = new Map<string, HostRules>();
    const exported = new Map<string, HostRules>();
    const rootLocal = new HostRules();
    // Merging keeps the oldest rule's policy, so the order is istiod's.
    const sorted = [...rules].sort((a, b) => istioOrder(a.resource, b.resource));
    for (const src of sorted) {
      const { spec, metadata } = src.resource;
      const ns = metadata.namespace;
      const host = resolveHostname(spec.host, ns);
      const exportTo = new Set(spec.exportTo.map((e) => (e === '.' ? ns : e)));
      if (exportTo.size === 0 || exportTo.has('*') || exportTo.has(ns)) {
        getOrCreate(namespaceLocal, ns).add(src, host, exportTo);
      }
      const privateOnly = exportTo.size === 1 && exportTo.has(ns);
      if (!privateOnly) getOrCreate(exported, ns).add(src, host, exportTo);
      else if (ns === ROOT_NAMESPACE) rootLocal.add(src, host, exportTo);
    }
    return new DestinationRuleIndex(workload, namespaceLocal, exported, rootLocal);
  }

  /**
   * The rule the workload applies to `fqdn`, or null. `serviceNamespace` is the namespace of the
   * service (a ServiceEntry's); when omitted it is read from a `<name>.<ns>.svc.cluster.local` host.
   */
  forHost(fqdn: string, serviceNamespace?: string): MergedDestinationRule | null {
    const host = fqdn.toLowerCase();
    const proxyNs = this.workload.namespace;
    const local = proxyNs === ROOT_NAMESPACE ? this.rootLocal : this.namespaceLocal.get(proxyNs);
    const own = local?.match(host);
    // The first namespace with any rule for the host decides, even if none of them selects us.
    if (own != null) return this.select(own.rules);
    const svcNs = serviceNamespace ?? kubernetesNamespace(host);
    if (svcNs !== '') {
      const found = this.exportedFrom(svcNs, host);
      if (found !== null) return this.select(found);
    }
    const root = this.exportedFrom(ROOT_NAMESPACE, host);
    return root === null ? null : this.select(root);
  }

  private exportedFrom(ns: string, host: string): Consolidated[] | null {
    const rules = this.exported.get(ns);
    const m = rules?.match(host);
    if (rules === undefined || m == null) return null;
    const to = rules.exportTo.get(m.host);
    if (to === undefined || to.size === 0 || to.has('*') || to.has(this.workload.namespace)) return m.rules;
    return null;
  }

  /** `SidecarScope.DestinationRule`: a same-namespace rule selecting the workload, else the catch-all. */
  private select(list: readonly Consolidated[]): MergedDestinationRule | null {
    let catchAll: Consolidated | null = null;
    for (const r of list) {
      if (r.selector === null) catchAll = r;
      else if (r.namespace === this.workload.namespace && selects(r.selector, this.workload.labels)) return r;
    }
    return catchAll;
  }
}

/** The labels of `subset` in a rule; undefined when the rule has no such subset. */
export function subsetLabels(rule: MergedDestinationRule | null, subset: string): Labels | undefined {
  return rule?.subsets.find((s) => s.name === subset)?.labels;
}
