/**
 * One listener side's Istio metrics: the `source` reporter on the outbound listener, the
 * `destination` reporter on the inbound one. It runs the metadata exchange on the stream's
 * headers and, at stream end, derives the label values and bumps the cells bound for them.
 * Cells are cached per distinct label combination, so a steady stream of requests costs one
 * key string and one Map lookup each.
 */

import { formatResponseFlags } from '../../accesslog/response-flags.js';
import { httpToGrpcStatus, isGrpcContentType } from '../../http/grpc-local-reply.js';
import type { HeaderMap } from '../../http/header-map.js';
import type {
  TcpConnectionObserver,
  TcpObserverFactory,
  TcpSessionView,
} from '../../tcp/tcp-session-view.js';
import type { DownstreamTlsInfo } from '../../tls/types.js';
import { ISTIO_LABELS, type IstioCells, type IstioStats, L } from './istio-stats.js';
import { IstioTcpReporter, type TcpReportOptions } from './istio-tcp-reporter.js';
import { LabelCellCache } from './label-cell-cache.js';
import { PEER_METADATA, PEER_METADATA_ID, PeerMetadataCache, peerMetadataHeaders } from './peer-metadata.js';
import { hostWithoutPort, namespaceFromSpiffe, type ServiceLabels, serviceLabels } from './service-labels.js';
import { type ProxyWorkload, UNKNOWN, UNKNOWN_WORKLOAD, type WorkloadFacts } from './workload-facts.js';

/** What the reporter reads and writes on one stream (ActiveStream implements it). */
export interface IstioStreamView {
  readonly requestHeaders: HeaderMap;
  readonly downstreamTls: DownstreamTlsInfo | null;
  readonly authority: string;
  readonly method: string;
  readonly path: string;
  readonly upstreamCluster: string | null;
  readonly responseCode: number;
  readonly responseFlags: number;
  readonly responseHeaders: HeaderMap | null;
  readonly durationMs: number | null;
  /** Request body bytes. */
  readonly bytesReceived: number;
  /** Response body bytes. */
  readonly bytesSent: number;
  /** The verified upstream server certificate's first URI SAN, "" for none (plaintext). */
  readonly upstreamPeerUriSan: string;
  /** Our certificate's URI SAN on the upstream connection, "" for none. */
  readonly upstreamLocalUriSan: string;
  /** The peer's exchanged metadata, null when it sent none. */
  istioPeer: WorkloadFacts | null;
  /** Request line and header bytes as received; response status line and header bytes as sent. */
  istioRequestHeaderBytes: number;
  istioResponseHeaderBytes: number;
}

/** What the peer and principal labels read: common to HTTP streams and TCP sessions. */
export type IstioPeerView = Pick<
  IstioStreamView,
  'downstreamTls' | 'upstreamPeerUriSan' | 'upstreamLocalUriSan' | 'istioPeer'
>;

export type Reporter = 'source' | 'destination';

const MAX_CACHED = 4096;

/** The per-side workload labels, in the order factValues gives them. */
const FACT_LABELS = [
  'workload',
  'workload_namespace',
  'app',
  'version',
  'canonical_service',
  'canonical_revision',
  'cluster',
] as const;

function factValues(w: WorkloadFacts): string[] {
  return [w.workload, w.namespace, w.app, w.version, w.canonicalService, w.canonicalRevision, w.cluster];
}

function headerBytes(h: HeaderMap): number {
  let n = 0;
  const raw = h.flat();
  // `name: value\r\n` per line.
  for (let i = 0; i < raw.length; i++) n += raw[i]!.length + 2;
  return n;
}

/** Istio metrics of one listener side for one workload. */
export class IstioReporter implements TcpObserverFactory {
  readonly reporter: Reporter;
  private readonly outbound: boolean;
  private readonly self: ProxyWorkload;
  private readonly values: string[];
  private readonly cells: LabelCellCache<IstioCells>;
  /** Service labels by cluster name, then by Host (only for clusters that do not name a service). */
  private readonly services = new Map<string, Map<string, ServiceLabels>>();
  /** Indexes of the labels that vary per request (the key of `cells`); the others are ours. */
  private readonly varying: readonly number[];
  /** The label values and cells of the previous record. */
  private readonly last: string[];
  private lastCells: IstioCells | null = null;
  /** Label indexes of the peer side's workload facts. */
  private readonly peerIdx: readonly number[];
  private readonly peers = new PeerMetadataCache();
  private readonly codes: string[] = [];
  private readonly flags = new Map<number, string>();
  private readonly metadataHeader: string;
  private readonly metadataIdHeader: string;

  /** Istio's TCP metrics of this side (`observe` hands its observers out). */
  readonly tcp: IstioTcpReporter;

  constructor(stats: IstioStats, self: ProxyWorkload, reporter: Reporter, tcp: TcpReportOptions = {}) {
    this.self = self;
    this.reporter = reporter;
    this.outbound = reporter === 'source';
    [this.metadataHeader, this.metadataIdHeader] = peerMetadataHeaders(self);
    const v = new Array<string>(ISTIO_LABELS.length).fill(UNKNOWN);
    v[L.reporter] = reporter;
    const side = this.outbound ? 'source' : 'destination';
    const peerSide = this.outbound ? 'destination' : 'source';
    this.peerIdx = FACT_LABELS.map((f) => L[`${peerSide}_${f}`]);
    const own = FACT_LABELS.map((f) => L[`${side}_${f}`]);
    const facts = factValues(self);
    for (let i = 0; i < own.length; i++) v[own[i]!] = facts[i]!;
    this.varying = v.map((_, i) => i).filter((i) => i !== L.reporter && !own.includes(i));
    this.values = v;
    this.last = v.slice();
    this.cells = new LabelCellCache(this.varying, (values) => stats.bind(values));
    this.tcp = new IstioTcpReporter(stats, self, this, reporter, v, tcp);
  }

  /** A TCP session on this side's listener: its Istio TCP metrics observer. */
  observe(view: TcpSessionView): TcpConnectionObserver {
    return this.tcp.observe(view);
  }

  /** This workload's TCP metadata exchange preamble (built once). */
  get exchangePreamble(): Buffer {
    return this.tcp.exchangePreamble;
  }

  /**
   * Request headers, before any filter: the client side sends our metadata upstream (replacing
   * whatever the app sent); the server side reads the client's and hides it from the app.
   */
  onRequest(s: IstioStreamView): void {
    const h = s.requestHeaders;
    const value = h.get(PEER_METADATA);
    if (value !== undefined) h.remove(PEER_METADATA);
    if (h.has(PEER_METADATA_ID)) h.remove(PEER_METADATA_ID);
    s.istioRequestHeaderBytes = s.method.length + s.path.length + 12 + headerBytes(h);
    if (this.outbound) {
      h.add(PEER_METADATA_ID, this.metadataIdHeader);
      h.add(PEER_METADATA, this.metadataHeader);
    } else if (value !== undefined) {
      s.istioPeer = this.peers.get(value);
    }
  }

  /** Response headers about to go downstream: the mirror image of onRequest. */
  onResponse(s: IstioStreamView, h: HeaderMap): void {
    const value = h.get(PEER_METADATA);
    if (value !== undefined) h.remove(PEER_METADATA);
    if (h.has(PEER_METADATA_ID)) h.remove(PEER_METADATA_ID);
    if (this.outbound) {
      if (value !== undefined) s.istioPeer = this.peers.get(value);
    } else {
      h.add(PEER_METADATA_ID, this.metadataIdHeader);
      h.add(PEER_METADATA, this.metadataHeader);
    }
    // `HTTP/1.1 200 OK\r\n` is about 17 bytes; the reason phrase varies, so this is approximate.
    s.istioResponseHeaderBytes = 17 + headerBytes(h);
  }

  /**
   * The peer side's workload labels, both principals and (at the destination) the connection
   * security policy into `v` (ISTIO_LABELS order); shared by HTTP streams and TCP connections.
   */
  fillPeerLabels(v: string[], s: IstioPeerView): void {
    const peer = s.istioPeer ?? UNKNOWN_WORKLOAD;
    let peerSan: string;
    if (this.outbound) {
      peerSan = s.upstreamPeerUriSan;
      v[L.source_principal] = s.upstreamLocalUriSan === '' ? UNKNOWN : s.upstreamLocalUriSan;
      v[L.destination_principal] = peerSan === '' ? UNKNOWN : peerSan;
    } else {
      const tls = s.downstreamTls;
      const mtls = tls !== null && tls.peerCertSha256 !== '';
      peerSan = mtls ? (tls.peerUriSans.find((u) => u.startsWith('spiffe://')) ?? '') : '';
      v[L.source_principal] = peerSan === '' ? UNKNOWN : peerSan;
      v[L.destination_principal] = mtls
        ? tls.localUriSan === ''
          ? this.self.spiffeId
          : tls.localUriSan
        : UNKNOWN;
      v[L.connection_security_policy] = mtls ? 'mutual_tls' : 'none';
    }
    this.setPeer(v, peer, peerSan);
  }

  /** Stream end: one request counted under its label values. */
  record(s: IstioStreamView): void {
    const v = this.values;
    this.fillPeerLabels(v, s);
    const svc = this.service(s.upstreamCluster, s.authority);
    v[L.destination_service] = svc.service;
    v[L.destination_service_name] = svc.name;
    v[L.destination_service_namespace] = svc.namespace;
    const grpc = isGrpcContentType(s.requestHeaders.get('content-type'));
    const code = s.responseCode;
    v[L.request_protocol] = grpc ? 'grpc' : 'http';
    v[L.response_code] = this.codeText(code);
    v[L.grpc_response_status] = grpc ? this.grpcStatus(s, code) : '';
    v[L.response_flags] = this.flagText(s.responseFlags);

    const cells = this.sameAsLast() ? this.lastCells! : this.lookup();
    cells.requests.inc();
    cells.duration.observe(s.durationMs ?? 0);
    cells.requestBytes.observe(s.istioRequestHeaderBytes + s.bytesReceived);
    cells.responseBytes.observe(s.istioResponseHeaderBytes + s.bytesSent);
  }

  /** Steady traffic repeats one combination: comparing the slots is cheaper than a key. */
  private sameAsLast(): boolean {
    const v = this.values;
    const last = this.last;
    const vary = this.varying;
    for (let i = 0; i < vary.length; i++) {
      const j = vary[i]!;
      if (v[j] !== last[j]) return false;
    }
    return this.lastCells !== null;
  }

  private lookup(): IstioCells {
    const v = this.values;
    const vary = this.varying;
    const cells = this.cells.get(v);
    for (let i = 0; i < vary.length; i++) this.last[vary[i]!] = v[vary[i]!]!;
    this.lastCells = cells;
    return cells;
  }

  /** The peer side's workload labels, namespace falling back to the SAN's `ns/` segment. */
  private setPeer(v: string[], peer: WorkloadFacts, san: string): void {
    const idx = this.peerIdx;
    let ns = peer.namespace;
    if (ns === UNKNOWN && san !== '') ns = namespaceFromSpiffe(san) ?? UNKNOWN;
    v[idx[0]!] = peer.workload;
    v[idx[1]!] = ns;
    v[idx[2]!] = peer.app;
    v[idx[3]!] = peer.version;
    v[idx[4]!] = peer.canonicalService;
    v[idx[5]!] = peer.canonicalRevision;
    v[idx[6]!] = peer.cluster;
  }

  private service(cluster: string | null, authority: string): ServiceLabels {
    // Outbound clusters name the service; the others (special, inbound, none) need the Host.
    const outboundCluster = cluster?.startsWith('outbound|') === true;
    const clusterKey = cluster ?? '';
    let byHost = this.services.get(clusterKey);
    if (byHost === undefined) {
      if (this.services.size >= MAX_CACHED) this.services.clear();
      byHost = new Map();
      this.services.set(clusterKey, byHost);
    }
    const hostKey = outboundCluster ? '' : authority;
    let svc = byHost.get(hostKey);
    if (svc === undefined) {
      // The unknown namespace of a service is the inbound side's own.
      const ns = this.outbound ? UNKNOWN : this.self.namespace;
      svc = serviceLabels(cluster, hostWithoutPort(hostKey), ns);
      if (byHost.size >= MAX_CACHED) byHost.clear();
      byHost.set(hostKey, svc);
    }
    return svc;
  }

  private codeText(code: number): string {
    return (this.codes[code] ??= String(code));
  }

  /** Envoy's short response-flag text for a bitmask, cached (shared with the TCP side). */
  flagText(flags: number): string {
    let t = this.flags.get(flags);
    if (t === undefined) {
      t = formatResponseFlags(flags);
      this.flags.set(flags, t);
    }
    return t;
  }

  private grpcStatus(s: IstioStreamView, code: number): string {
    const header = s.responseHeaders?.get('grpc-status');
    if (header !== undefined) return header;
    // Envoy maps the HTTP status only when it is not 200 (a 200 without grpc-status says nothing).
    return code === 0 || code === 200 ? '' : String(httpToGrpcStatus(code));
  }
}
