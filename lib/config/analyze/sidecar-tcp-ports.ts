/**
 * SKF0005: a Sidecar egress listener with a TCP port and `captureMode: NONE` whose hosts import
 * several services with that port. A TCP listener has no Host header to route by, so istiod (and
 * Skiff) serve one service on it, the oldest in its order; the app silently reaches that one
 * whichever it meant.
 */
import { isTcpProtocol } from '../istio/translate/port-protocols.js';
import { egressAdmits } from '../istio/translate/sidecar-scope.js';
import type { AnalysisContext } from './context.js';
import { type Finding, finding } from './finding.js';

/** SKF0005 on each such egress listener, naming the service in force. */
export function analyzeSidecarTcpPorts(ctx: AnalysisContext): Finding[] {
  const out: Finding[] = [];
  for (const sc of ctx.sidecars) {
    const ns = sc.resource.metadata.namespace;
    sc.resource.spec.egress.forEach((e, i) => {
      const port = e.port;
      if (port === null || e.captureMode !== 'NONE' || !isTcpProtocol(port.protocol)) return;
      const on = ctx.registry
        .visibleFrom(ns)
        .filter(
          (s) =>
            e.hosts.some((h) => egressAdmits(h, s.hostname, s.namespace, ns)) &&
            s.ports.some((p) => p.number === port.number),
        );
      if (on.length < 2) return;
      const names = on.map((s) => s.hostname);
      out.push(
        finding(
          'SKF0005',
          sc,
          `spec.egress[${i}].port`,
          `The TCP egress listener on port ${port.number} imports ${names.length} services with that port (${names.join(', ')}). A TCP listener serves one service: ${names[0]} (the oldest ServiceEntry) is used and ${names.slice(1).join(', ')} cannot be reached on it.`,
          `Narrow spec.egress[${i}].hosts to the one service meant for port ${port.number}, or give each service its own egress listener (another port or bind address).`,
        ),
      );
    });
  }
  return out;
}
