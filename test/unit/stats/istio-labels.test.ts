import t from 'tap';
import { ResponseFlag } from '../../../lib/accesslog/response-flags.js';
import { HeaderMap } from '../../../lib/http/header-map.js';
import { Families } from '../../../lib/stats/families.js';
import { IstioReporter, type IstioStreamView } from '../../../lib/stats/istio/istio-reporter.js';
import { ISTIO_LABELS, IstioStats } from '../../../lib/stats/istio/istio-stats.js';
import {
  PEER_METADATA,
  PEER_METADATA_ID,
  peerMetadataHeaders,
} from '../../../lib/stats/istio/peer-metadata.js';
import {
  hostWithoutPort,
  namespaceFromSpiffe,
  serviceLabels,
} from '../../../lib/stats/istio/service-labels.js';
import { proxyWorkloadFrom, UNKNOWN } from '../../../lib/stats/istio/workload-facts.js';
import type { DownstreamTlsInfo } from '../../../lib/tls/types.js';

const WEB = proxyWorkloadFrom({
  namespace: 'shop',
  serviceAccount: 'web',
  name: 'web',
  labels: { app: 'web' },
  trustDomain: 'cluster.local',
});
const CART = proxyWorkloadFrom({
  namespace: 'shop',
  serviceAccount: 'cart',
  name: 'cart',
  labels: { app: 'cart', version: 'v2' },
  trustDomain: 'cluster.local',
});

t.test('service labels from cluster names and Host', async (t) => {
  t.same(serviceLabels('outbound|8080|v1|orders.shop.svc.cluster.local', 'x', UNKNOWN), {
    service: 'orders.shop.svc.cluster.local',
    name: 'orders',
    namespace: 'shop',
  });
  t.same(serviceLabels('outbound|443||api.example.com', '', UNKNOWN), {
    service: 'api.example.com',
    name: 'api.example.com',
    namespace: UNKNOWN,
  });
  t.same(serviceLabels('PassthroughCluster', 'example.org', UNKNOWN), {
    service: 'example.org',
    name: 'PassthroughCluster',
    namespace: UNKNOWN,
  });
  t.same(serviceLabels('BlackHoleCluster', '', UNKNOWN), {
    service: 'BlackHoleCluster',
    name: 'BlackHoleCluster',
    namespace: UNKNOWN,
  });
  t.same(serviceLabels('inbound|8080||', 'cart.shop.svc.cluster.local', 'shop'), {
    service: 'cart.shop.svc.cluster.local',
    name: 'cart',
    namespace: 'shop',
  });
  t.same(serviceLabels(null, 'cart', 'shop'), { service: 'cart', name: 'cart', namespace: 'shop' });
  t.same(serviceLabels(null, '', 'shop'), { service: UNKNOWN, name: UNKNOWN, namespace: 'shop' });
  t.equal(hostWithoutPort('a.b:8080'), 'a.b');
  t.equal(hostWithoutPort('[::1]'), '[::1]');
  t.equal(hostWithoutPort('[::1]:80'), '[::1]');
  t.equal(namespaceFromSpiffe('spiffe://td/ns/ops/sa/x'), 'ops');
  t.equal(namespaceFromSpiffe('spiffe://td/other'), null);
});

t.test('workload facts: canonical defaults as Istio', async (t) => {
  t.equal(WEB.canonicalService, 'web');
  t.equal(WEB.canonicalRevision, 'latest');
  t.equal(WEB.version, UNKNOWN);
  t.equal(CART.canonicalRevision, 'v2');
  t.equal(WEB.cluster, 'Kubernetes');
  t.equal(WEB.spiffeId, 'spiffe://cluster.local/ns/shop/sa/web');
  const anon = proxyWorkloadFrom({
    namespace: 'n',
    serviceAccount: 's',
    name: '',
    labels: {},
    trustDomain: 't',
  });
  t.equal(anon.workload, UNKNOWN);
  t.equal(anon.canonicalService, UNKNOWN);
});

function tlsInfo(peer: string | null): DownstreamTlsInfo {
  return {
    peerUriSans: peer === null ? [] : [peer],
    peerPrincipal: peer?.slice('spiffe://'.length) ?? '',
    peerCertSha256: peer === null ? '' : 'ab',
    localUriSan: 'spiffe://cluster.local/ns/shop/sa/cart',
    alpn: '',
    version: 'TLSv1.3',
  };
}

function view(o: Partial<IstioStreamView> = {}): IstioStreamView {
  return {
    requestHeaders: new HeaderMap(['host', 'cart.shop:8080']),
    downstreamTls: null,
    authority: 'cart.shop:8080',
    method: 'GET',
    path: '/',
    upstreamCluster: 'outbound|8080||cart.shop.svc.cluster.local',
    responseCode: 200,
    responseFlags: 0,
    responseHeaders: null,
    durationMs: 3,
    bytesReceived: 0,
    bytesSent: 10,
    upstreamPeerUriSan: '',
    upstreamLocalUriSan: '',
    istioPeer: null,
    istioRequestHeaderBytes: 0,
    istioResponseHeaderBytes: 0,
    ...o,
  };
}

function labelsOf(text: string, metric: string): Record<string, string>[] {
  const out: Record<string, string>[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${metric}{`)) continue;
    const l: Record<string, string> = {};
    for (const m of line.matchAll(/(\w+)="([^"]*)"/g)) l[m[1]!] = m[2]!;
    out.push(l);
  }
  return out;
}

t.test('source reporter: exchange on headers, labels from peer metadata and TLS', async (t) => {
  const f = new Families();
  const r = new IstioReporter(new IstioStats(f, '1.2.3'), WEB, 'source');
  const s = view();
  s.requestHeaders.add(PEER_METADATA, 'spoofed-by-app');
  r.onRequest(s);
  const [md] = peerMetadataHeaders(WEB);
  t.equal(s.requestHeaders.get(PEER_METADATA), md, 'our metadata replaces the app’s');
  t.ok(s.requestHeaders.get(PEER_METADATA_ID));
  t.ok(s.istioRequestHeaderBytes > 0);
  const resp = new HeaderMap(['x', '1']);
  const [cartMd, cartId] = peerMetadataHeaders(CART);
  resp.add(PEER_METADATA_ID, cartId);
  resp.add(PEER_METADATA, cartMd);
  r.onResponse(s, resp);
  t.equal(resp.get(PEER_METADATA), undefined, 'stripped towards the app');
  t.equal(resp.get(PEER_METADATA_ID), undefined);
  t.equal(s.istioPeer?.workload, 'cart');
  const done = {
    ...s,
    upstreamPeerUriSan: CART.spiffeId,
    upstreamLocalUriSan: WEB.spiffeId,
    responseFlags: ResponseFlag.UpstreamRetryLimitExceeded,
  };
  r.record(done);
  r.record(done);
  const rows = labelsOf(f.exposition(), 'istio_requests_total');
  t.equal(rows.length, 1, 'one series for two identical requests');
  t.same(Object.keys(rows[0]!), ISTIO_LABELS);
  t.match(rows[0], {
    reporter: 'source',
    source_workload: 'web',
    source_principal: WEB.spiffeId,
    destination_workload: 'cart',
    destination_version: 'v2',
    destination_principal: CART.spiffeId,
    destination_service_name: 'cart',
    response_flags: 'URX',
    connection_security_policy: 'unknown',
  });
  t.match(f.exposition(), /istio_requests_total\{[^}]*\} 2\n/);
  t.match(f.exposition(), /istio_build\{component="proxy",tag="1\.2\.3"\} 1/);
});

t.test('destination reporter: mTLS vs plaintext, SAN namespace fallback, gRPC', async (t) => {
  const f = new Families();
  const r = new IstioReporter(new IstioStats(f, 'v'), CART, 'destination');
  const plain = view({ upstreamCluster: 'inbound|8080||' });
  const [webMd] = peerMetadataHeaders(WEB);
  plain.requestHeaders.add(PEER_METADATA, webMd);
  r.onRequest(plain);
  t.equal(plain.requestHeaders.get(PEER_METADATA), undefined, 'hidden from the app');
  t.equal(plain.istioPeer?.workload, 'web');
  const resp = new HeaderMap([]);
  r.onResponse(plain, resp);
  t.ok(resp.get(PEER_METADATA), 'our metadata goes back to the client');
  r.record(plain);

  const mtls = view({
    upstreamCluster: 'inbound|8080||',
    downstreamTls: tlsInfo('spiffe://cluster.local/ns/ops/sa/probe'),
    responseCode: 0,
    responseFlags: ResponseFlag.DownstreamConnectionTermination,
  });
  r.record(mtls);
  const grpc = view({ responseCode: 503 });
  grpc.requestHeaders.add('content-type', 'application/grpc');
  r.record(grpc);
  const rows = labelsOf(f.exposition(), 'istio_requests_total');
  t.match(rows[0], {
    reporter: 'destination',
    source_workload: 'web',
    source_principal: 'unknown',
    destination_principal: 'unknown',
    destination_workload: 'cart',
    destination_service: 'cart.shop',
    destination_service_namespace: 'shop',
    connection_security_policy: 'none',
    grpc_response_status: '',
  });
  t.match(rows[1], {
    source_workload: 'unknown',
    source_workload_namespace: 'ops',
    source_principal: 'spiffe://cluster.local/ns/ops/sa/probe',
    destination_principal: 'spiffe://cluster.local/ns/shop/sa/cart',
    connection_security_policy: 'mutual_tls',
    response_code: '0',
    response_flags: 'DC',
  });
  t.match(rows[2], { request_protocol: 'grpc', grpc_response_status: '14', response_code: '503' });
});
