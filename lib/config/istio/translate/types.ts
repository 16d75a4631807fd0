/**
 * Contracts between the parts of the Istio → Skiff model translation (what istiod does per
 * proxy): the orchestrator (`translate.ts`: listeners, virtual hosts, cluster inventory),
 * DestinationRule policy (`destination-rules.ts`, `cluster-policy.ts`) and VirtualService HTTP
 * routes (`http-routes.ts`).
 */
import type { ConfigIssue } from '../../errors.js';
import type {
  ClusterConfig,
  DiscoveryType,
  EndpointConfig,
  HashPolicyConfig,
  OriginalDstConfig,
} from '../../model.js';
import type { TlsFileRefSink } from '../../tls-files.js';
import type {
  DestinationRule,
  IstioDestination,
  ServicePort,
  Subset,
  TrafficPolicy,
  VirtualService,
} from '../model.js';
import type { RegistryService } from '../registry.js';
import type { SourcedResource } from '../sourced.js';
import type { WorkloadInfo } from '../workload.js';

/** Where translation problems go: errors reject the config, warnings are logged. */
export interface TranslateSink extends TlsFileRefSink {
  readonly issues: ConfigIssue[];
  readonly warnings: ConfigIssue[];
}

/** The HTTP filter names Istio's sidecar HCM carries, in order, so per-route configs can name them. */
export const FILTER_NAMES = {
  fault: 'envoy.filters.http.fault',
  cors: 'envoy.filters.http.cors',
  router: 'envoy.filters.http.router',
} as const;

/** The Istio cluster names: `outbound|<port>|<subset>|<fqdn>` and `inbound|<port>||`. */
export function outboundClusterName(port: number, subset: string, fqdn: string): string {
  return `outbound|${port}|${subset}|${fqdn}`;
}
export function inboundClusterName(port: number): string {
  return `inbound|${port}||`;
}
export const PASSTHROUGH_CLUSTER = 'PassthroughCluster';
export const BLACKHOLE_CLUSTER = 'BlackHoleCluster';

/** DestinationRules for one host merged as istiod merges them (subsets concatenated, first policy). */
export interface MergedDestinationRule {
  /** The FQDN (or wildcard) the rule's `host` resolved to. */
  readonly host: string;
  /** The rules merged, oldest first; the first one's trafficPolicy is the one kept. */
  readonly sources: readonly SourcedResource<DestinationRule>[];
  readonly trafficPolicy: TrafficPolicy | null;
  readonly subsets: readonly Subset[];
}

/** How the orchestrator asks for one outbound cluster. */
export interface OutboundClusterSpec {
  /** `outbound|<port>|<subset>|<fqdn>`. */
  readonly name: string;
  readonly service: RegistryService;
  readonly port: ServicePort;
  /** "" = the whole service. */
  readonly subset: string;
  /** Discovery of the service (from its resolution): STATIC, STRICT_DNS, LOGICAL_DNS, ORIGINAL_DST. */
  readonly type: DiscoveryType;
  /** Endpoints already narrowed to the subset's labels. */
  readonly endpoints: readonly EndpointConfig[];
  /** For ORIGINAL_DST (resolution NONE). */
  readonly originalDst?: OriginalDstConfig;
  /** The proxy's SPIFFE trust domain (ISTIO_MUTUAL identities); `cluster.local` when absent. */
  readonly trustDomain?: string;
}

/** What `cluster-policy.ts` exports: a DestinationRule's policy applied with Istio's defaults. */
export type BuildOutboundCluster = (
  spec: OutboundClusterSpec,
  rule: MergedDestinationRule | null,
  sink: TranslateSink,
) => ClusterConfig;

/** A destination resolved to its cluster, with what the route needs from the DestinationRule. */
export interface ClusterRef {
  readonly name: string;
  /** From the DestinationRule's `consistentHash` for this subset and port; absent when none. */
  readonly hashPolicy?: readonly HashPolicyConfig[];
  /** False when the DR uses consistent hashing (istiod then drops `previous_hosts`). */
  readonly previousHostsAllowed: boolean;
}

/** What the VirtualService route translator needs from the rest of the translation. */
export interface RouteTranslateContext {
  /**
   * The cluster for a destination written in a VirtualService of `namespace`, on the route
   * table of `listenerPort` (a destination without port uses the service's only port, else
   * this one). Unknown hosts and subsets still get a name (the orchestrator creates an empty
   * cluster so requests get 503, and the analyzer reports IST0101).
   */
  resolve(dest: IstioDestination, namespace: string, listenerPort: number): ClusterRef;
  /** A delegate VirtualService by name and namespace, or undefined. */
  delegate(name: string, namespace: string): SourcedResource<VirtualService> | undefined;
  readonly sink: TranslateSink;
  /** The proxy's workload: match `sourceLabels`/`sourceNamespace` are checked against it. */
  readonly workload: WorkloadInfo;
}
