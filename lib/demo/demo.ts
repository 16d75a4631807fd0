import { fileURLToPath } from 'node:url';
import { formatIssue } from '../config/errors.js';
import { loadConfigFiles } from '../config/load.js';
import type { Bootstrap, ClusterConfig, ListenerConfig } from '../config/model.js';
import { SkiffError } from '../errors.js';
import { Skiff } from '../server/skiff.js';
import type { Logger } from '../util/logger.js';
import { type DemoUpstream, startOrderService } from './order-service.js';

export const DEMO_CONFIG = fileURLToPath(
  new URL('../../../config-examples/demo-canary.yaml', import.meta.url),
);

export interface DemoOptions {
  /** Listener port; undefined keeps the file's (15001), 0 picks a free one. */
  readonly listenerPort?: number;
  readonly adminPort?: number;
  /** Ports for v1 and v2; undefined keeps the file's (18081, 18082). */
  readonly upstreamPorts?: readonly [number, number];
  readonly logger?: Logger;
}

export interface Demo {
  readonly skiff: Skiff;
  readonly upstreams: readonly DemoUpstream[];
  readonly listenerPort: number;
  stop(): Promise<void>;
}

/** Starts order-service v1/v2 and Skiff serving config-examples/demo-canary.yaml. */
export async function startDemo(opts: DemoOptions = {}): Promise<Demo> {
  const loaded = await loadConfigFiles([DEMO_CONFIG]);
  if (!loaded.ok) throw new SkiffError('SKIFF_ERR_CONFIG', loaded.issues.map(formatIssue).join('\n'));
  const base = loaded.bootstrap;
  const v1Port = opts.upstreamPorts?.[0] ?? endpointPort(base, 'order-service-v1');
  const v2Port = opts.upstreamPorts?.[1] ?? endpointPort(base, 'order-service-v2');
  const upstreams: DemoUpstream[] = [];
  try {
    upstreams.push(await startOrderService('v1', v1Port), await startOrderService('v2', v2Port));
    const bootstrap = withPorts(base, opts.listenerPort, {
      'order-service-v1': upstreams[0]!.port,
      'order-service-v2': upstreams[1]!.port,
    });
    const skiff = await Skiff.start(bootstrap, {
      ...(opts.adminPort === undefined ? {} : { adminPort: opts.adminPort }),
      ...(opts.logger === undefined ? {} : { logger: opts.logger }),
    });
    const listenerPort = skiff.listenerInfo()[0]!.port;
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
    throw new SkiffError('SKIFF_ERR_CONFIG', `${DEMO_CONFIG}: cluster ${cluster} has no endpoint`);
  return port;
}

/** A copy of the bootstrap with the demo's ports substituted (the loaded one is frozen). */
function withPorts(
  b: Bootstrap,
  listenerPort: number | undefined,
  upstream: Record<string, number>,
): Bootstrap {
  const listeners: ListenerConfig[] = b.listeners.map((l) =>
    listenerPort === undefined ? l : { ...l, address: { ...l.address, port: listenerPort } },
  );
  const clusters: ClusterConfig[] = b.clusters.map((c) => {
    const port = upstream[c.name];
    if (port === undefined) return c;
    return { ...c, endpoints: c.endpoints.map((e) => ({ ...e, address: { ...e.address, port } })) };
  });
  return { ...b, listeners, clusters };
}
