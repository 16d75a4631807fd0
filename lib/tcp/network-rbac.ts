/**
 * Envoy's network RBAC filters of one tcp_proxy chain, compiled once per runtime and checked
 * once per connection, before the upstream is dialled.
 */
import type { Socket } from 'node:net';
import type { NetworkRbacConfig } from '../config/model.js';
import { RbacEngine } from '../filters/rbac/rbac-engine.js';
import type { RbacRequest } from '../filters/rbac/rbac-matchers.js';
import type { RbacStats } from '../stats/rbac-stats.js';
import type { StatsRegistry } from '../stats/registry.js';
import type { DownstreamTlsInfo } from '../tls/types.js';

interface CompiledFilter {
  readonly rules: RbacEngine | null;
  readonly shadow: RbacEngine | null;
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
    this.filters = cfgs.map((c, i) => {
      const where = `envoy.filters.network.rbac[${i}]`;
      return {
        rules: c.rules === null ? null : new RbacEngine(c.rules, `${where}.rules`, true),
        shadow: c.shadowRules === null ? null : new RbacEngine(c.shadowRules, `${where}.shadow_rules`, true),
        stats: stats.networkRbacStats(c.statPrefix),
      };
    });
  }

  /**
   * Null when every filter allows the connection, else Envoy's connection termination details
   * `rbac_access_denied_matched_policy[<policy>|none]`. Shadow rules are only counted; filters
   * after a denial are not evaluated (Envoy closes the connection there).
   */
  check(socket: Socket, tls: DownstreamTlsInfo | null): string | null {
    const req = new ConnectionRbacRequest(socket, tls);
    for (const f of this.filters) {
      if (f.shadow !== null) {
        if (f.shadow.deny(req) === null) f.stats.shadowAllowed.inc();
        else f.stats.shadowDenied.inc();
      }
      if (f.rules === null) continue;
      const details = f.rules.deny(req);
      if (details !== null) {
        f.stats.denied.inc();
        return details;
      }
      f.stats.allowed.inc();
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
