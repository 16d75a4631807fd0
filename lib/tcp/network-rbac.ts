/**
 * Envoy's network RBAC filters of one tcp_proxy chain, compiled once per runtime and checked
 * once per connection, before the upstream is dialled.
 */
import type { Socket } from 'node:net';
import type { NetworkRbacConfig } from '../config/model.js';
import { RbacEngines } from '../filters/rbac/rbac-engine.js';
import type { RbacRequest } from '../filters/rbac/rbac-matchers.js';
import type { RbacStats } from '../stats/rbac-stats.js';
import type { StatsRegistry } from '../stats/registry.js';
import type { DownstreamTlsInfo } from '../tls/types.js';

interface CompiledFilter {
  readonly engines: RbacEngines;
  readonly stats: RbacStats;
}

/** What the engines read of a connection: addresses and TLS facts; it has no path or headers. */
class ConnectionRbacRequest implements RbacRequest {
  readonly path = '';
  readonly downstreamRemoteAddress: string;
  readonly downstreamLocalAddress: string;

  constructor(
    socket: Socket,
    readonly downstreamTls: DownstreamTlsInfo | null,
  ) {
    // `ip:port` with a bare IPv6 address, as the matchers split it (cidr.ts hostOf/portOf).
    this.downstreamRemoteAddress = `${socket.remoteAddress ?? ''}:${socket.remotePort ?? -1}`;
    this.downstreamLocalAddress = `${socket.localAddress ?? ''}:${socket.localPort ?? -1}`;
  }

  header(): string | undefined {
    return undefined;
  }
}

/** The chain's network RBAC filters in order; the first denial closes the connection. */
export class NetworkRbacChain {
  private readonly filters: readonly CompiledFilter[];

  constructor(cfgs: readonly NetworkRbacConfig[], stats: StatsRegistry) {
    this.filters = cfgs.map((c, i) => ({
      engines: new RbacEngines(c, `envoy.filters.network.rbac[${i}]`, true),
      stats: stats.networkRbacStats(c.statPrefix),
    }));
  }

  /**
   * Null when every filter allows the connection, else Envoy's connection termination details
   * `rbac_access_denied_matched_policy[<policy>|none]`. Shadow rules are only counted; filters
   * after a denial are not evaluated (Envoy closes the connection there).
   */
  check(socket: Socket, tls: DownstreamTlsInfo | null): string | null {
    const req = new ConnectionRbacRequest(socket, tls);
    for (const f of this.filters) {
      const details = f.engines.check(req, f.stats);
      if (details !== null) return details;
    }
    return null;
  }
}

/** Compiles a chain's filters; null when it has none (sessions then skip the check). */
export function compileNetworkRbac(
  cfgs: readonly NetworkRbacConfig[] | undefined,
  stats: StatsRegistry,
): NetworkRbacChain | null {
  return cfgs === undefined || cfgs.length === 0 ? null : new NetworkRbacChain(cfgs, stats);
}
