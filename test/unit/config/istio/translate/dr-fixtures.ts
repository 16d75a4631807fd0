/** Decoded DestinationRules and outbound cluster specs for the translate tests. */
import type { DestinationRule, IstioResource } from '../../../../../lib/config/istio/model.js';
import { ServiceRegistry } from '../../../../../lib/config/istio/registry.js';
import type { SourcedResource } from '../../../../../lib/config/istio/sourced.js';
import type { OutboundClusterSpec, TranslateSink } from '../../../../../lib/config/istio/translate/types.js';
import { DEFAULT_WORKLOAD, type WorkloadInfo } from '../../../../../lib/config/istio/workload.js';
import type { DiscoveryType } from '../../../../../lib/config/model.js';
import { decodeYaml } from '../../istio-fixtures.js';

/** Every resource of a YAML text, decoded cleanly (throws otherwise), tagged with `file`. */
export function sourced(text: string, file = 'dr.yaml', ns = 'default'): SourcedResource[] {
  const d = decodeYaml(text, ns);
  if (d.issues.length > 0) throw new Error(`did not decode: ${d.issues.join('; ')}`);
  return d.resources.map((resource: IstioResource) => ({ resource, file }));
}

/** The DestinationRules of a YAML text. */
export function rules(text: string, file = 'dr.yaml', ns = 'default'): SourcedResource<DestinationRule>[] {
  return sourced(text, file, ns).filter(
    (s): s is SourcedResource<DestinationRule> => s.resource.kind === 'DestinationRule',
  );
}

/** A DestinationRule document (body indented by 2 under `spec:`). */
export function dr(name: string, ns: string, body: string, extraMeta = ''): string {
  return `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: ${name}
  namespace: ${ns}
${extraMeta}spec:
${body}---
`;
}

/** A workload in `namespace` with `labels`. */
export function workload(namespace: string, labels: Record<string, string> = {}): WorkloadInfo {
  return { ...DEFAULT_WORKLOAD, namespace, labels };
}

/** A sink collecting issues and warnings. */
export function sink(): TranslateSink & { warnings: { file: string; path: string; message: string }[] } {
  return { issues: [], warnings: [] };
}

/** A cluster spec for `host` on a ServiceEntry port (`protocol` HTTP unless given). */
export function clusterSpec(
  host: string,
  port: number,
  subset = '',
  opts: { protocol?: string; type?: DiscoveryType } = {},
): OutboundClusterSpec {
  const se = sourced(
    `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: se, namespace: default}
spec:
  hosts: [${host}]
  ports: [{number: ${port}, name: p, protocol: ${opts.protocol ?? 'HTTP'}}]
  resolution: STATIC
  endpoints: [{address: 10.0.0.1}]
`,
    'se.yaml',
  );
  const service = ServiceRegistry.build(se).services()[0]!;
  return {
    name: `outbound|${port}|${subset}|${host}`,
    service,
    port: service.ports[0]!,
    subset,
    type: opts.type ?? 'STATIC',
    endpoints: [],
    ...(opts.type === 'ORIGINAL_DST'
      ? {
          originalDst: {
            httpHeaderName: ':authority',
            defaultPort: port,
            upstreamPortOverride: null,
            cleanupIntervalMs: 5000,
          },
        }
      : {}),
  };
}
