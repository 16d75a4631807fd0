/**
 * Istio resources as decoded, before translation to Skiff's Envoy-shaped model (`../model.ts`).
 *
 * The shape follows Istio's protos with their JSON (lowerCamelCase) names and istiod's view of
 * them: proto3 scalars and enums hold their proto default when absent (0, false, "", the first
 * enum value), because istiod cannot tell those apart either; wrapper types and messages whose
 * absence means something (a mesh default, "inherit") are `null` when absent. Durations are
 * milliseconds. Istio's own defaults (applied by istiod at translation) are noted per field.
 */

/** Kubernetes object metadata Skiff keeps. */
export interface IstioMetadata {
  readonly name: string;
  /** The caller's default namespace when absent. */
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  /** As written; istiod orders conflicting resources by it (oldest first). */
  readonly creationTimestamp: string | null;
}

/** `StringMatch`; `any` is `{}` (presence for headers and query parameters, anything for `uri`). */
export interface StringMatch {
  readonly type: 'exact' | 'prefix' | 'regex' | 'any';
  readonly value: string;
}

/** `WorkloadSelector` (`matchLabels` in security/type APIs, `labels` in networking ones). */
export interface WorkloadSelector {
  readonly labels: Readonly<Record<string, string>>;
}

/** `Percent {value}`: 0–100, fractional. */
export type Percent = number;

// ---------------------------------------------------------------- VirtualService

/** `Destination`. */
export interface IstioDestination {
  readonly host: string;
  /** "" when absent. */
  readonly subset: string;
  /** `port.number`; null when absent (the service's only port). */
  readonly port: number | null;
}

/** `HeaderOperations`. */
export interface HeaderOperations {
  readonly set: Readonly<Record<string, string>>;
  readonly add: Readonly<Record<string, string>>;
  readonly remove: readonly string[];
}

/** `Headers`: request and response operations. */
export interface HeadersPolicy {
  readonly request: HeaderOperations;
  readonly response: HeaderOperations;
}

/** `HTTPMatchRequest`: fields ANDed; a route's matches ORed. */
export interface HttpMatchRequest {
  readonly name: string;
  readonly uri: StringMatch | null;
  readonly scheme: StringMatch | null;
  readonly method: StringMatch | null;
  readonly authority: StringMatch | null;
  /** Header names as written (Istio lower-cases them at translation). */
  readonly headers: Readonly<Record<string, StringMatch>>;
  readonly withoutHeaders: Readonly<Record<string, StringMatch>>;
  readonly queryParams: Readonly<Record<string, StringMatch>>;
  /** 0 = any port. */
  readonly port: number;
  readonly ignoreUriCase: boolean;
  readonly sourceLabels: Readonly<Record<string, string>>;
  readonly sourceNamespace: string;
  readonly gateways: readonly string[];
  readonly statPrefix: string;
}

/** `HTTPRouteDestination`. */
export interface HttpRouteDestination {
  readonly destination: IstioDestination;
  /** Relative (Istio ≥ 1.15); 0 = dropped, unless it is the only destination (then 100 %). */
  readonly weight: number;
  readonly headers: HeadersPolicy | null;
}

/** `HTTPRedirect`. */
export interface HttpRedirect {
  readonly uri: string;
  readonly authority: string;
  /** `port`; null when absent. */
  readonly port: number | null;
  readonly derivePort: 'FROM_PROTOCOL_DEFAULT' | 'FROM_REQUEST_PORT' | null;
  readonly scheme: string;
  /** 301 when absent (istiod's default). */
  readonly redirectCode: number;
}

/** `HTTPDirectResponse`. */
export interface HttpDirectResponse {
  readonly status: number;
  /** The body (bytes are base64-decoded); null without a body. */
  readonly body: string | null;
}

/** `Delegate`. */
export interface HttpDelegate {
  readonly name: string;
  /** The VirtualService's namespace when absent. */
  readonly namespace: string;
}

/** `HTTPRewrite`. */
export interface HttpRewrite {
  readonly uri: string;
  readonly authority: string;
  readonly uriRegexRewrite: { readonly match: string; readonly rewrite: string } | null;
}

/** `HTTPRetry`. istiod's default when a route has no `retries`: 2 attempts (mesh config). */
export interface HttpRetry {
  /** 0 disables retries. */
  readonly attempts: number;
  /** null = the route timeout. */
  readonly perTryTimeoutMs: number | null;
  /** "" = `connect-failure,refused-stream,unavailable,cancelled` (istiod). */
  readonly retryOn: string;
  /** null = false. */
  readonly retryRemoteLocalities: boolean | null;
  /** null = true (istiod). */
  readonly retryIgnorePreviousHosts: boolean | null;
  /** null = 25 ms. */
  readonly backoffMs: number | null;
}

/** `HTTPFaultInjection.Delay`. */
export interface FaultDelay {
  readonly fixedDelayMs: number;
  /** null when absent. */
  readonly percentage: Percent | null;
}

/** `HTTPFaultInjection.Abort`: exactly one of `httpStatus` / `grpcStatus` is set. */
export interface FaultAbort {
  /** 0 when `grpcStatus` is used. */
  readonly httpStatus: number;
  /** gRPC status name ("UNAVAILABLE"); "" when `httpStatus` is used. */
  readonly grpcStatus: string;
  readonly percentage: Percent | null;
}

/** `HTTPFaultInjection`: at least one of delay / abort. */
export interface HttpFault {
  readonly delay: FaultDelay | null;
  readonly abort: FaultAbort | null;
}

/** `HTTPMirrorPolicy`. */
export interface HttpMirrorPolicy {
  readonly destination: IstioDestination;
  /** null = 100 %. */
  readonly percentage: Percent | null;
}

/** `CorsPolicy`. */
export interface CorsPolicy {
  readonly allowOrigins: readonly StringMatch[];
  readonly allowMethods: readonly string[];
  readonly allowHeaders: readonly string[];
  readonly exposeHeaders: readonly string[];
  readonly maxAgeMs: number | null;
  readonly allowCredentials: boolean | null;
  readonly unmatchedPreflights: 'UNSPECIFIED' | 'FORWARD' | 'IGNORE';
}

/** `HTTPRoute`: exactly one of route / redirect / directResponse / delegate is set. */
export interface HttpRoute {
  readonly name: string;
  /** Empty = matches everything. */
  readonly match: readonly HttpMatchRequest[];
  readonly route: readonly HttpRouteDestination[];
  readonly redirect: HttpRedirect | null;
  readonly directResponse: HttpDirectResponse | null;
  readonly delegate: HttpDelegate | null;
  readonly rewrite: HttpRewrite | null;
  /** null = disabled (istiod sets no route timeout). */
  readonly timeoutMs: number | null;
  readonly retries: HttpRetry | null;
  readonly fault: HttpFault | null;
  readonly mirror: IstioDestination | null;
  readonly mirrors: readonly HttpMirrorPolicy[];
  /** null = 100 % (applies to `mirror`). */
  readonly mirrorPercentage: Percent | null;
  readonly corsPolicy: CorsPolicy | null;
  readonly headers: HeadersPolicy | null;
}

/** `L4MatchAttributes` / `TLSMatchAttributes` (`sniHosts` only for TLS). */
export interface L4Match {
  readonly destinationSubnets: readonly string[];
  readonly port: number;
  readonly sourceLabels: Readonly<Record<string, string>>;
  readonly gateways: readonly string[];
  readonly sourceNamespace: string;
  readonly sniHosts: readonly string[];
}

/** `RouteDestination` (TCP/TLS). */
export interface L4RouteDestination {
  readonly destination: IstioDestination;
  readonly weight: number;
}

/** `TCPRoute` / `TLSRoute`. */
export interface L4Route {
  readonly match: readonly L4Match[];
  readonly route: readonly L4RouteDestination[];
}

/** `VirtualService` spec. */
export interface VirtualServiceSpec {
  /** Empty for a delegate VirtualService. */
  readonly hosts: readonly string[];
  /** Empty = `mesh`. */
  readonly gateways: readonly string[];
  readonly http: readonly HttpRoute[];
  readonly tcp: readonly L4Route[];
  readonly tls: readonly L4Route[];
  /** Empty = all namespaces. */
  readonly exportTo: readonly string[];
}

// ---------------------------------------------------------------- DestinationRule

/** `LoadBalancerSettings.ConsistentHashLB`. */
export interface ConsistentHashLb {
  readonly hashKey:
    | { readonly type: 'httpHeaderName'; readonly name: string }
    | {
        readonly type: 'httpCookie';
        readonly name: string;
        readonly path: string;
        /** null when absent: Envoy then never generates the cookie; 0 = a session cookie. */
        readonly ttlMs: number | null;
      }
    | { readonly type: 'useSourceIp' }
    | { readonly type: 'httpQueryParameterName'; readonly name: string };
  /** null = ring hash with Envoy's default size (istiod). */
  readonly hashAlgorithm:
    | { readonly type: 'ringHash'; readonly minimumRingSize: number }
    | { readonly type: 'maglev'; readonly tableSize: number }
    | null;
  /** Deprecated `minimumRingSize`; 0 when absent. */
  readonly minimumRingSize: number;
}

/** `LocalityLoadBalancerSetting`. */
export interface LocalityLbSetting {
  readonly distribute: readonly { readonly from: string; readonly to: Readonly<Record<string, number>> }[];
  readonly failover: readonly { readonly from: string; readonly to: string }[];
  readonly failoverPriority: readonly string[];
  /** null = mesh default (enabled). */
  readonly enabled: boolean | null;
}

/** `LoadBalancerSettings`. */
export interface LoadBalancerSettings {
  /** `UNSPECIFIED` = istiod's default, LEAST_REQUEST. `LEAST_CONN` is the deprecated alias. */
  readonly simple: 'UNSPECIFIED' | 'LEAST_CONN' | 'RANDOM' | 'PASSTHROUGH' | 'ROUND_ROBIN' | 'LEAST_REQUEST';
  readonly consistentHash: ConsistentHashLb | null;
  readonly localityLbSetting: LocalityLbSetting | null;
  readonly warmupDurationMs: number | null;
  /** `warmup {duration, minimumPercent (10), aggression (1)}`. */
  readonly warmup: {
    readonly durationMs: number;
    readonly minimumPercent: number | null;
    readonly aggression: number | null;
  } | null;
}

/** `ConnectionPoolSettings.TCPSettings`; 0 / null = istiod's default (noted). */
export interface TcpPoolSettings {
  /** 0 = 2^32−1. */
  readonly maxConnections: number;
  /** null = 10 s (mesh `connectTimeout`). */
  readonly connectTimeoutMs: number | null;
  readonly tcpKeepalive: {
    readonly probes: number;
    readonly timeMs: number | null;
    readonly intervalMs: number | null;
  } | null;
  readonly maxConnectionDurationMs: number | null;
  /** null = 1 h. */
  readonly idleTimeoutMs: number | null;
}

/** `ConnectionPoolSettings.HTTPSettings`; 0 / null = istiod's default (noted). */
export interface HttpPoolSettings {
  /** 0 = 2^32−1. */
  readonly http1MaxPendingRequests: number;
  /** 0 = 2^32−1. */
  readonly http2MaxRequests: number;
  /** 0 = unlimited. */
  readonly maxRequestsPerConnection: number;
  /** 0 = 2^32−1. */
  readonly maxRetries: number;
  /** null = 1 h. */
  readonly idleTimeoutMs: number | null;
  readonly h2UpgradePolicy: 'DEFAULT' | 'DO_NOT_UPGRADE' | 'UPGRADE';
  readonly useClientProtocol: boolean;
  /** 0 = 2^31−1. */
  readonly maxConcurrentStreams: number;
}

/** `ConnectionPoolSettings`: at least one of tcp / http. */
export interface ConnectionPoolSettings {
  readonly tcp: TcpPoolSettings | null;
  readonly http: HttpPoolSettings | null;
}

/** `OutlierDetection`; null / 0 = istiod's default (noted). */
export interface IstioOutlierDetection {
  /** null = 5; 0 disables. */
  readonly consecutive5xxErrors: number | null;
  /** null = disabled. */
  readonly consecutiveGatewayErrors: number | null;
  /** null = 5 (only used when split). */
  readonly consecutiveLocalOriginFailures: number | null;
  readonly splitExternalLocalOriginErrors: boolean;
  /** null = 10 s. */
  readonly intervalMs: number | null;
  /** null = 30 s. */
  readonly baseEjectionTimeMs: number | null;
  /** 0 = 10 %. */
  readonly maxEjectionPercent: number;
  /** 0 = panic mode off. */
  readonly minHealthPercent: number;
}

/** `ClientTLSSettings`. */
export interface ClientTlsSettings {
  readonly mode: 'DISABLE' | 'SIMPLE' | 'MUTUAL' | 'ISTIO_MUTUAL';
  readonly clientCertificate: string;
  readonly privateKey: string;
  readonly caCertificates: string;
  readonly credentialName: string;
  readonly subjectAltNames: readonly string[];
  readonly sni: string;
  /** null = false. */
  readonly insecureSkipVerify: boolean | null;
}

/** The policy fields shared by `TrafficPolicy` and its `portLevelSettings`. */
export interface PortTrafficPolicy {
  readonly loadBalancer: LoadBalancerSettings | null;
  readonly connectionPool: ConnectionPoolSettings | null;
  readonly outlierDetection: IstioOutlierDetection | null;
  readonly tls: ClientTlsSettings | null;
}

/** `TrafficPolicy`. */
export interface TrafficPolicy extends PortTrafficPolicy {
  readonly portLevelSettings: readonly (PortTrafficPolicy & { readonly port: number })[];
}

/** `Subset`. */
export interface Subset {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly trafficPolicy: TrafficPolicy | null;
}

/** `DestinationRule` spec. */
export interface DestinationRuleSpec {
  readonly host: string;
  readonly trafficPolicy: TrafficPolicy | null;
  readonly subsets: readonly Subset[];
  readonly exportTo: readonly string[];
  readonly workloadSelector: WorkloadSelector | null;
}

// ---------------------------------------------------------------- ServiceEntry, WorkloadEntry

/** `ServicePort`. */
export interface ServicePort {
  readonly number: number;
  /** As written (upper-cased by Istio when parsed); "" = auto-detect. */
  readonly protocol: string;
  readonly name: string;
  /** 0 = same as `number`. */
  readonly targetPort: number;
}

/** `WorkloadEntry` spec (also a ServiceEntry endpoint). */
export interface WorkloadEntrySpec {
  readonly address: string;
  readonly ports: Readonly<Record<string, number>>;
  readonly labels: Readonly<Record<string, string>>;
  readonly network: string;
  readonly locality: string;
  /** 0 = 1. */
  readonly weight: number;
  readonly serviceAccount: string;
}

/** `ServiceEntry` spec. */
export interface ServiceEntrySpec {
  readonly hosts: readonly string[];
  readonly addresses: readonly string[];
  readonly ports: readonly ServicePort[];
  readonly location: 'MESH_EXTERNAL' | 'MESH_INTERNAL';
  readonly resolution: 'NONE' | 'STATIC' | 'DNS' | 'DNS_ROUND_ROBIN';
  readonly endpoints: readonly WorkloadEntrySpec[];
  readonly workloadSelector: WorkloadSelector | null;
  readonly exportTo: readonly string[];
  readonly subjectAltNames: readonly string[];
}

// ---------------------------------------------------------------- Sidecar

/** `SidecarPort`. */
export interface SidecarPort {
  readonly number: number;
  readonly protocol: string;
  readonly name: string;
}

/** `CaptureMode`. */
export type CaptureMode = 'DEFAULT' | 'IPTABLES' | 'NONE';

/** `IstioIngressListener`. */
export interface SidecarIngress {
  readonly port: SidecarPort;
  readonly bind: string;
  readonly captureMode: CaptureMode;
  readonly defaultEndpoint: string;
}

/** `IstioEgressListener`. */
export interface SidecarEgress {
  /** null = the catch-all listener (only the last one). */
  readonly port: SidecarPort | null;
  readonly bind: string;
  readonly captureMode: CaptureMode;
  /** `namespace/dnsName`. */
  readonly hosts: readonly string[];
}

/** `Sidecar` spec. */
export interface SidecarSpec {
  readonly workloadSelector: WorkloadSelector | null;
  readonly ingress: readonly SidecarIngress[];
  readonly egress: readonly SidecarEgress[];
  /** null = the mesh's `outboundTrafficPolicy` (ALLOW_ANY by default). */
  readonly outboundTrafficPolicy: { readonly mode: 'REGISTRY_ONLY' | 'ALLOW_ANY' } | null;
}

// ---------------------------------------------------------------- security.istio.io

/** `PeerAuthentication.MutualTLS.Mode`; UNSET inherits (PERMISSIVE at the top). */
export type MtlsMode = 'UNSET' | 'DISABLE' | 'PERMISSIVE' | 'STRICT';

/** `PeerAuthentication` spec. */
export interface PeerAuthenticationSpec {
  readonly selector: WorkloadSelector | null;
  /** null = UNSET. */
  readonly mtls: { readonly mode: MtlsMode } | null;
  /** Workload port → mode. */
  readonly portLevelMtls: Readonly<Record<number, MtlsMode>>;
}

/** `Source`: fields ANDed, values ORed. */
export interface AuthzSource {
  readonly principals: readonly string[];
  readonly notPrincipals: readonly string[];
  readonly requestPrincipals: readonly string[];
  readonly notRequestPrincipals: readonly string[];
  readonly namespaces: readonly string[];
  readonly notNamespaces: readonly string[];
  readonly ipBlocks: readonly string[];
  readonly notIpBlocks: readonly string[];
  readonly remoteIpBlocks: readonly string[];
  readonly notRemoteIpBlocks: readonly string[];
}

/** `Operation`: fields ANDed, values ORed. */
export interface AuthzOperation {
  readonly hosts: readonly string[];
  readonly notHosts: readonly string[];
  readonly ports: readonly string[];
  readonly notPorts: readonly string[];
  readonly methods: readonly string[];
  readonly notMethods: readonly string[];
  readonly paths: readonly string[];
  readonly notPaths: readonly string[];
}

/** `Condition`. */
export interface AuthzCondition {
  readonly key: string;
  readonly values: readonly string[];
  readonly notValues: readonly string[];
}

/** `Rule`: ≥ 1 `from` and ≥ 1 `to` and every `when` (absent sections match anything). */
export interface AuthzRule {
  readonly from: readonly AuthzSource[];
  readonly to: readonly AuthzOperation[];
  readonly when: readonly AuthzCondition[];
}

/** `AuthorizationPolicy` spec. */
export interface AuthorizationPolicySpec {
  readonly selector: WorkloadSelector | null;
  readonly action: 'ALLOW' | 'DENY' | 'AUDIT' | 'CUSTOM';
  /** `provider.name`, CUSTOM only; "" otherwise. */
  readonly provider: string;
  /** Empty: an ALLOW policy then matches nothing (denies the selected workloads). */
  readonly rules: readonly AuthzRule[];
}

// ---------------------------------------------------------------- resources

interface ResourceOf<K extends string, S> {
  readonly kind: K;
  /** As written, e.g. `networking.istio.io/v1beta1`. */
  readonly apiVersion: string;
  readonly metadata: IstioMetadata;
  readonly spec: S;
}

/** One decoded `VirtualService`. */
export type VirtualService = ResourceOf<'VirtualService', VirtualServiceSpec>;
/** One decoded `DestinationRule`. */
export type DestinationRule = ResourceOf<'DestinationRule', DestinationRuleSpec>;
/** One decoded `ServiceEntry`. */
export type ServiceEntry = ResourceOf<'ServiceEntry', ServiceEntrySpec>;
/** One decoded `WorkloadEntry`. */
export type WorkloadEntry = ResourceOf<'WorkloadEntry', WorkloadEntrySpec>;
/** One decoded `Sidecar`. */
export type Sidecar = ResourceOf<'Sidecar', SidecarSpec>;
/** One decoded `PeerAuthentication`. */
export type PeerAuthentication = ResourceOf<'PeerAuthentication', PeerAuthenticationSpec>;
/** One decoded `AuthorizationPolicy`. */
export type AuthorizationPolicy = ResourceOf<'AuthorizationPolicy', AuthorizationPolicySpec>;

/** Every Istio resource Skiff decodes, discriminated by `kind`. */
export type IstioResource =
  | VirtualService
  | DestinationRule
  | ServiceEntry
  | WorkloadEntry
  | Sidecar
  | PeerAuthentication
  | AuthorizationPolicy;
