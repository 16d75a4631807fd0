/** VirtualServices decoded from YAML and a small RouteTranslateContext for the route translator tests. */

import { resolveHostname } from '../../../../../lib/config/istio/hosts.js';
import type { VirtualService } from '../../../../../lib/config/istio/model.js';
import type { SourcedResource } from '../../../../../lib/config/istio/sourced.js';
import { translateHttpRoutes } from '../../../../../lib/config/istio/translate/http-routes.js';
import {
  type ClusterRef,
  outboundClusterName,
  type RouteTranslateContext,
  type TranslateSink,
} from '../../../../../lib/config/istio/translate/types.js';
import { DEFAULT_WORKLOAD, type WorkloadInfo } from '../../../../../lib/config/istio/workload.js';
import type { HashPolicyConfig, RouteConfig } from '../../../../../lib/config/model.js';
import { decodeYaml } from '../../istio-fixtures.js';

/** Every VirtualService of a YAML text (which must decode cleanly), as loaded from `file`. */
export function virtualServices(
  yaml: string,
  file = 'vs.yaml',
  ns = 'default',
): SourcedResource<VirtualService>[] {
  const d = decodeYaml(yaml, ns);
  if (d.issues.length > 0) throw new Error(`did not decode: ${d.issues.join('; ')}`);
  return d.resources
    .filter((r): r is VirtualService => r.kind === 'VirtualService')
    .map((resource) => ({ resource, file }));
}

/** A VirtualService named `name` with `body` indented under `spec:` (2 spaces). */
export function vsYaml(body: string, name = 'vs', ns = 'default'): string {
  return `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: ${name}
  namespace: ${ns}
spec:
${body}`;
}

/** One VirtualService from its spec body. */
export function oneVs(body: string, name = 'vs', ns = 'default'): SourcedResource<VirtualService> {
  const [vs] = virtualServices(vsYaml(body, name, ns));
  if (vs === undefined) throw new Error('no VirtualService');
  return vs;
}

export interface FakeOptions {
  readonly workload?: Partial<WorkloadInfo>;
  /** Delegate VirtualServices by `ns/name`. */
  readonly delegates?: readonly SourcedResource<VirtualService>[];
  /** FQDN → the DestinationRule's consistent-hash policy. */
  readonly hashes?: Readonly<Record<string, readonly HashPolicyConfig[]>>;
  /** FQDN → its only port (a destination without port uses it). */
  readonly servicePorts?: Readonly<Record<string, number>>;
}

/** A RouteTranslateContext naming clusters `outbound|port|subset|fqdn`, with a sink to inspect. */
export function fakeContext(o: FakeOptions = {}): RouteTranslateContext & { sink: TranslateSink } {
  const sink: TranslateSink = { issues: [], warnings: [] };
  return {
    sink,
    workload: { ...DEFAULT_WORKLOAD, ...o.workload },
    resolve(dest, namespace, listenerPort): ClusterRef {
      const fqdn = resolveHostname(dest.host, namespace);
      const port = dest.port ?? o.servicePorts?.[fqdn] ?? listenerPort;
      const hash = o.hashes?.[fqdn];
      return {
        name: outboundClusterName(port, dest.subset, fqdn),
        ...(hash === undefined ? {} : { hashPolicy: hash }),
        previousHostsAllowed: hash === undefined,
      };
    },
    delegate(name, namespace) {
      return o.delegates?.find(
        (d) => d.resource.metadata.name === name && d.resource.metadata.namespace === namespace,
      );
    },
  };
}

/** Translates `body` on `port` and returns the routes and the warnings as `path: message`. */
export function translate(
  body: string,
  port = 80,
  o: FakeOptions = {},
): { routes: RouteConfig[]; warnings: string[] } {
  const ctx = fakeContext(o);
  const routes = translateHttpRoutes(oneVs(body), port, ctx);
  return { routes, warnings: ctx.sink.warnings.map((w) => `${w.path}: ${w.message}`) };
}

/** The forward action of a route (throws on other actions). */
export function forwardOf(r: RouteConfig | undefined) {
  if (r === undefined || r.action.kind !== 'forward') throw new Error('not a forward route');
  return r.action;
}
