/**
 * A cluster's upstream transports: its `upstreamTls` and each `transportSocketMatches` entry,
 * built once, and the choice for one endpoint (made once per host, when the host is built).
 */
import type { ClusterConfig, TransportSocketMatchConfig, UpstreamTlsConfig } from '../config/model.js';
import { TlsTransport, type TlsTransportDeps } from './tls-transport.js';

/**
 * Envoy's transport socket selection: the first match entry whose labels are all on the
 * endpoint, else the cluster's own transport socket; null = plaintext.
 */
export function selectTransport(
  config: Pick<ClusterConfig, 'upstreamTls' | 'transportSocketMatches'>,
  labels: Readonly<Record<string, string>>,
): UpstreamTlsConfig | null {
  for (const m of config.transportSocketMatches ?? []) if (matchesLabels(m, labels)) return m.tls;
  return config.upstreamTls ?? null;
}

function matchesLabels(m: TransportSocketMatchConfig, labels: Readonly<Record<string, string>>): boolean {
  for (const k of Object.keys(m.match)) if (labels[k] !== m.match[k]) return false;
  return true;
}

/** The transports of one cluster; closing it stops following certificate rotation. */
export class UpstreamTransports {
  private readonly config: ClusterConfig;
  private readonly built = new Map<UpstreamTlsConfig, TlsTransport>();
  private readonly deps: TlsTransportDeps;

  constructor(config: ClusterConfig, deps: TlsTransportDeps) {
    this.config = config;
    this.deps = deps;
  }

  /** True when the cluster may use TLS at all. */
  get any(): boolean {
    return this.config.upstreamTls !== undefined || (this.config.transportSocketMatches?.length ?? 0) > 0;
  }

  /** The transport for an endpoint with `labels`; null = plaintext. */
  forEndpoint(labels: Readonly<Record<string, string>>): TlsTransport | null {
    const cfg = selectTransport(this.config, labels);
    if (cfg === null) return null;
    let t = this.built.get(cfg);
    if (t === undefined) {
      // Built on first use: a match entry no endpoint selects costs nothing.
      t = new TlsTransport(cfg, this.deps);
      this.built.set(cfg, t);
    }
    return t;
  }

  close(): void {
    for (const t of this.built.values()) t.close();
    this.built.clear();
  }
}
