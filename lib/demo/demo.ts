import { fileURLToPath } from 'node:url';
import { formatIssue } from '../config/errors.js';
import { DEFAULT_SIDECAR_OPTIONS, type SidecarOptions } from '../config/istio/sidecar-options.js';
import { outboundClusterName } from '../config/istio/translate/types.js';
import { loadConfigFiles } from '../config/load.js';
import type { Bootstrap, ClusterConfig } from '../config/model.js';
import { SkiffError } from '../errors.js';
import { Skiff } from '../server/skiff.js';
import { proxyWorkloadFrom } from '../stats/istio/workload-facts.js';
import type { Logger } from '../util/logger.js';
import { type DemoUpstream, startOrderService } from './order-service.js';

const example = (f: string): string =>
  fileURLToPath(new URL(`../../../config-examples/istio/${f}`, import.meta.url));

/** The seed's canary VirtualService/DestinationRule unchanged, plus the registry they need. */
export const DEMO_CONFIG = [example('istio-canary.yaml'), example('order-service-registry.yaml')];

const FQDN = 'order-service.production.svc.cluster.local';

/** The calling workload the demo's sidecar serves (matches the example's Sidecar resource). */
export const DEMO_SIDECAR: SidecarOptions = {
  ...DEFAULT_SIDECAR_OPTIONS,
  workload: {
    namespace: 'production',
    serviceAccount: 'frontend',
    name: 'frontend',
    labels: { app: 'frontend' },
    trustDomain: 'cluster.local',
  },
  inboundPort: null,
  bindAddress: '127.0.0.1',
};

export interface DemoOptions {
  /** Outbound listener port; undefined keeps Istio's 15001, 0 picks a free one. */
  readonly listenerPort?: number;
  readonly adminPort?: number;
  /** Ports for v1 and v2; undefined keeps the WorkloadEntries' (18081, 18082). */
  readonly upstreamPorts?: readonly [number, number];
  readonly logger?: Logger;
}

export interface Demo {
  readonly skiff: Skiff;
  readonly upstreams: readonly DemoUpstream[];
  readonly listenerPort: number;
  stop(): Promise<void>;
}

/** Starts order-service v1/v2 and Skiff as the sidecar of `frontend` serving the seed's canary. */
export async function startDemo(opts: DemoOptions = {}): Promise<Demo> {
  const sidecar: SidecarOptions = {
    ...DEMO_SIDECAR,
    outboundPort: opts.listenerPort ?? DEMO_SIDECAR.outboundPort,
  };
  const loaded = await loadConfigFiles(DEMO_CONFIG, { sidecar });
  if (!loaded.ok) throw new SkiffError('SKIFF_ERR_CONFIG', loaded.issues.map(formatIssue).join('\n'));
  const base = loaded.bootstrap;
  const v1Port = opts.upstreamPorts?.[0] ?? endpointPort(base, outboundClusterName(8080, 'v1', FQDN));
  const v2Port = opts.upstreamPorts?.[1] ?? endpointPort(base, outboundClusterName(8080, 'v2', FQDN));
  const upstreams: DemoUpstream[] = [];
  try {
    upstreams.push(await startOrderService('v1', v1Port), await startOrderService('v2', v2Port));
    const bootstrap = withUpstreamPorts(base, {
      [endpointPort(base, outboundClusterName(8080, 'v1', FQDN))]: upstreams[0]!.port,
      [endpointPort(base, outboundClusterName(8080, 'v2', FQDN))]: upstreams[1]!.port,
    });
    const skiff = await Skiff.start(bootstrap, {
      ...(opts.adminPort === undefined ? {} : { adminPort: opts.adminPort, adminAddress: '127.0.0.1' }),
      // A sidecar reports Istio's standard metrics for its workload, as the real one would.
      istioWorkload: proxyWorkloadFrom(DEMO_SIDECAR.workload),
      ...(opts.logger === undefined ? {} : { logger: opts.logger }),
    });
    const listenerPort = skiff.listenerInfo().find((l) => l.name === 'virtualOutbound')!.port;
    return {
      skiff,
      upstreams,
      listenerPort,
      stop: async () => {
        await skiff.stop();
        await Promise.all(upstreams.map((u) => u.close()));
      },
    };
  } catch (err) {
    await Promise.all(upstreams.map((u) => u.close()));
    throw err;
  }
}

function endpointPort(b: Bootstrap, cluster: string): number {
  const c = b.clusters.find((x) => x.name === cluster);
  const port = c?.endpoints[0]?.address.port;
  if (port === undefined)
    throw new SkiffError('SKIFF_ERR_CONFIG', `${DEMO_CONFIG.join(', ')}: cluster ${cluster} has no endpoint`);
  return port;
}

/** A copy of the bootstrap with the WorkloadEntries' ports moved to where the demo upstreams listen. */
function withUpstreamPorts(b: Bootstrap, moved: Record<number, number>): Bootstrap {
  const clusters: ClusterConfig[] = b.clusters.map((c) => ({
    ...c,
    endpoints: c.endpoints.map((e) => {
      const port = moved[e.address.port];
      return port === undefined ? e : { ...e, address: { ...e.address, port } };
    }),
  }));
  return { ...b, clusters };
}
