/**
 * IST0101 (host, mirror host, host:port) and IST0112: every VirtualService destination must name
 * a service of the registry, as istioctl's `DestinationHostAnalyzer` checks. Skiff's registry is
 * the ServiceEntries (there is no Kubernetes API), so a destination host is found only when a
 * ServiceEntry host visible from the VirtualService's namespace covers it.
 */
import { resolveHostname } from '../istio/hosts.js';
import { type AnalysisContext, routedDestinations } from './context.js';
import { type Finding, finding } from './finding.js';

/** IST0101 for unknown hosts and ports, IST0112 for a missing port on a multi-port service. */
export function analyzeDestinationHosts(ctx: AnalysisContext): Finding[] {
  const out: Finding[] = [];
  for (const vs of ctx.virtualServices) {
    const ns = vs.resource.metadata.namespace;
    for (const d of routedDestinations(vs.resource)) {
      const { host, port } = d.destination;
      const svc = ctx.registry.find(resolveHostname(host, ns), ns);
      const what = d.mirror ? 'mirror host' : 'host';
      if (svc === undefined) {
        out.push(
          finding(
            'IST0101',
            vs,
            `${d.path}.host`,
            `Referenced ${what} not found: ${JSON.stringify(host)}`,
            `Add a ServiceEntry whose hosts include ${resolveHostname(host, ns)} (visible from namespace ${ns}), or correct the host; Skiff's registry is the ServiceEntries it loads, and traffic to an unknown host is dropped.`,
          ),
        );
        continue;
      }
      const numbers = svc.ports.map((p) => p.number);
      if (port === null) {
        if (numbers.length > 1) {
          out.push(
            finding(
              'IST0112',
              vs,
              d.path,
              `This VirtualService routes to a service ${JSON.stringify(host)} that exposes multiple ports [${numbers.join(' ')}]. Specifying a port in the destination is required to disambiguate.`,
              `Set ${d.path}.port.number to one of ${numbers.join(', ')}.`,
            ),
          );
        }
      } else if (!numbers.includes(port)) {
        out.push(
          finding(
            'IST0101',
            vs,
            `${d.path}.port.number`,
            `Referenced ${what === 'host' ? 'host:port' : 'mirror host:port'} not found: ${JSON.stringify(`${host}:${port}`)}`,
            `Use a port the ServiceEntry ${svc.entry.resource.metadata.namespace}/${svc.entry.resource.metadata.name} declares (${numbers.join(', ') || 'none'}), or add port ${port} to it.`,
          ),
        );
      }
    }
  }
  return out;
}
