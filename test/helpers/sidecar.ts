import { formatIssue } from '../../lib/config/errors.js';
import { DEFAULT_SIDECAR_OPTIONS, type SidecarOptions } from '../../lib/config/istio/sidecar-options.js';
import { DEFAULT_WORKLOAD, type WorkloadInfo } from '../../lib/config/istio/workload.js';
import { type LoadResult, loadConfigText } from '../../lib/config/load.js';
import { Skiff, type SkiffOptions } from '../../lib/server/skiff.js';
import { proxyWorkloadFrom } from '../../lib/stats/istio/workload-facts.js';
import { createLogger } from '../../lib/util/logger.js';

export interface TestSidecar {
  readonly skiff: Skiff;
  /** The outbound listener's port (routes by Host). */
  readonly outbound: number;
  /** The inbound listener's port, or null when there is none. */
  readonly inbound: number | null;
  readonly adminBase: string;
  readonly loaded: Extract<LoadResult, { ok: true }>;
  stop(): Promise<void>;
}

export interface SidecarTestOptions {
  readonly workload?: Partial<WorkloadInfo>;
  readonly sidecar?: Partial<Omit<SidecarOptions, 'workload'>>;
  readonly skiff?: SkiffOptions;
  /** Istio's standard metrics and metadata exchange (default on, as `skiff run` in sidecar mode). */
  readonly istioMetrics?: boolean;
}

/** Sidecar options for tests: ephemeral ports on loopback, the given workload. */
export function testSidecarOptions(o: SidecarTestOptions = {}): SidecarOptions {
  return {
    ...DEFAULT_SIDECAR_OPTIONS,
    outboundPort: 0,
    inboundPort: null,
    bindAddress: '127.0.0.1',
    ...o.sidecar,
    workload: { ...DEFAULT_WORKLOAD, ...o.workload },
  };
}

/** Loads Istio YAML (documents joined with `---`) in sidecar mode; throws on config errors. */
export function loadSidecarConfig(
  yaml: string,
  o: SidecarTestOptions = {},
): Extract<LoadResult, { ok: true }> {
  const loaded = loadConfigText(yaml, 'istio.yaml', { sidecar: testSidecarOptions(o) });
  if (!loaded.ok) throw new Error(`test config rejected:\n${loaded.issues.map(formatIssue).join('\n')}`);
  return loaded;
}

/** Starts Skiff as a sidecar for the Istio resources in `yaml`. */
export async function startSidecar(yaml: string, o: SidecarTestOptions = {}): Promise<TestSidecar> {
  const loaded = loadSidecarConfig(yaml, o);
  const skiff = await Skiff.start(loaded.bootstrap, {
    logger: createLogger('off'),
    adminPort: 0,
    ...(o.istioMetrics === false ? {} : { istioWorkload: proxyWorkloadFrom(testSidecarOptions(o).workload) }),
    ...o.skiff,
  });
  const port = (name: string): number | null =>
    skiff.listenerInfo().find((l) => l.name === name)?.port ?? null;
  const admin = skiff.adminAddress();
  return {
    skiff,
    outbound: port('virtualOutbound') ?? -1,
    inbound: port('virtualInbound'),
    adminBase: admin === null ? '' : `http://127.0.0.1:${admin.port}`,
    loaded,
    stop: () => skiff.stop(),
  };
}

/**
 * A Sidecar `ingress` TCP port (captureMode NONE) in namespace `shop` forwarding to the app on
 * 127.0.0.1, with a namespace-wide PeerAuthentication when `mtls` is given.
 */
export function tcpIngressYaml(
  port: number,
  portName: string,
  appPort: number,
  mtls: 'STRICT' | null = 'STRICT',
): string {
  const sidecar = `apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: default, namespace: shop}
spec:
  ingress:
  - port: {number: ${port}, protocol: TCP, name: ${portName}}
    bind: 127.0.0.1
    captureMode: NONE
    defaultEndpoint: 127.0.0.1:${appPort}
`;
  if (mtls === null) return sidecar;
  return `${sidecar}---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: shop}
spec: {mtls: {mode: ${mtls}}}
`;
}

/**
 * The client side of `tcpIngressYaml`: a STATIC ServiceEntry `host` (named `cart-db` in `shop`)
 * whose port `port` goes to 127.0.0.1:`endpointPort`, a Sidecar `egress` TCP port for it
 * (captureMode NONE) and ISTIO_MUTUAL to it; `subjectAltNames` pins the server's identity.
 */
export function tcpEgressYaml(
  host: string,
  port: number,
  portName: string,
  endpointPort: number,
  subjectAltNames?: string,
): string {
  return `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: cart-db, namespace: shop}
spec:
  hosts: [${host}]
  ports: [{number: ${port}, name: ${portName}, protocol: TCP}]
  resolution: STATIC
${subjectAltNames === undefined ? '' : `  subjectAltNames: [${subjectAltNames}]\n`}  endpoints: [{address: 127.0.0.1, ports: {${portName}: ${endpointPort}}}]
---
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: default, namespace: shop}
spec:
  egress:
  - port: {number: ${port}, protocol: TCP, name: ${portName}}
    captureMode: NONE
    hosts: [./${host}]
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: cart-db, namespace: shop}
spec:
  host: ${host}
  trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}
`;
}
