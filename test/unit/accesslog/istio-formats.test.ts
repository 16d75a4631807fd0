import t from 'tap';
import {
  compileJsonFormat,
  compileTextFormat,
  validateTextFormat,
} from '../../../lib/accesslog/formatter.js';
import { ISTIO_JSON_FORMAT, ISTIO_TEXT_FORMAT } from '../../../lib/accesslog/istio-formats.js';
import { ResponseFlag } from '../../../lib/accesslog/response-flags.js';
import type { DownstreamTlsInfo } from '../../../lib/tls/types.js';
import { fakeRecord } from './fake-record.js';

const REQ = {
  ':method': 'GET',
  ':path': '/status/418',
  ':authority': 'httpbin:8000',
  'user-agent': 'curl/8.5.0',
  'x-request-id': 'e2e0f0b1-8f7c-4f0e-9a43-1f3f2c0a7b11',
};

const served = fakeRecord(
  {
    startTimeMs: Date.UTC(2024, 0, 2, 3, 4, 5, 678),
    protocol: 'HTTP/1.1',
    responseCode: 418,
    responseCodeDetails: 'via_upstream',
    bytesReceived: 0,
    bytesSent: 135,
    durationMs: 4.7,
    upstreamHost: '10.244.0.7:80',
    upstreamCluster: 'outbound|8000||httpbin.foo.svc.cluster.local',
    upstreamLocalAddress: '10.244.0.5:47238',
    downstreamLocalAddress: '10.96.12.1:8000',
    downstreamRemoteAddress: '10.244.0.5:52912',
    routeName: 'default',
  },
  REQ,
  { 'x-envoy-upstream-service-time': '3' },
);

t.test('Istio TEXT format: the exact line istiod-configured Envoy writes', async (t) => {
  t.equal(
    compileTextFormat(ISTIO_TEXT_FORMAT)(served),
    '[2024-01-02T03:04:05.678Z] "GET /status/418 HTTP/1.1" 418 - via_upstream - "-" 0 135 4 3 ' +
      '"-" "curl/8.5.0" "e2e0f0b1-8f7c-4f0e-9a43-1f3f2c0a7b11" "httpbin:8000" "10.244.0.7:80" ' +
      'outbound|8000||httpbin.foo.svc.cluster.local 10.244.0.5:47238 10.96.12.1:8000 ' +
      '10.244.0.5:52912 - default\n',
  );
  const uf = fakeRecord(
    {
      startTimeMs: Date.UTC(2024, 0, 2, 3, 4, 5, 0),
      protocol: 'HTTP/1.1',
      responseCode: 503,
      responseFlags: ResponseFlag.UpstreamConnectionFailure,
      responseCodeDetails: 'upstream_reset_before_response_started{connection_failure}',
      upstreamTransportFailureReason: 'delayed connect error: 111',
      bytesReceived: 0,
      bytesSent: 91,
      durationMs: 1,
      upstreamHost: '127.0.0.1:9',
      upstreamCluster: 'outbound|9||down.shop.svc.cluster.local',
      downstreamLocalAddress: '127.0.0.1:15001',
      downstreamRemoteAddress: '127.0.0.1:40000',
      routeName: 'down.shop.svc.cluster.local:9',
    },
    { ':method': 'GET', ':path': '/', ':authority': 'down' },
  );
  t.equal(
    compileTextFormat(ISTIO_TEXT_FORMAT)(uf),
    '[2024-01-02T03:04:05.000Z] "GET / HTTP/1.1" 503 UF ' +
      'upstream_reset_before_response_started{connection_failure} - "delayed connect error: 111" ' +
      '0 91 1 - "-" "-" "-" "down" "127.0.0.1:9" outbound|9||down.shop.svc.cluster.local - ' +
      '127.0.0.1:15001 127.0.0.1:40000 - down.shop.svc.cluster.local:9\n',
  );
});

t.test('Istio JSON format: typed values as Envoy emits them', async (t) => {
  const line = compileJsonFormat(ISTIO_JSON_FORMAT)(served);
  t.equal(line.indexOf('\n'), line.length - 1, 'one line');
  t.same(JSON.parse(line), {
    authority: 'httpbin:8000',
    bytes_received: 0,
    bytes_sent: 135,
    connection_termination_details: null,
    downstream_local_address: '10.96.12.1:8000',
    downstream_remote_address: '10.244.0.5:52912',
    duration: 4,
    method: 'GET',
    path: '/status/418',
    protocol: 'HTTP/1.1',
    request_id: 'e2e0f0b1-8f7c-4f0e-9a43-1f3f2c0a7b11',
    requested_server_name: null,
    response_code: 418,
    response_code_details: 'via_upstream',
    response_flags: '-',
    route_name: 'default',
    start_time: '2024-01-02T03:04:05.678Z',
    upstream_cluster: 'outbound|8000||httpbin.foo.svc.cluster.local',
    upstream_host: '10.244.0.7:80',
    upstream_local_address: '10.244.0.5:47238',
    upstream_service_time: '3',
    upstream_transport_failure_reason: null,
    user_agent: 'curl/8.5.0',
    x_forwarded_for: null,
  });
  t.equal(Object.keys(ISTIO_JSON_FORMAT).length, 24, "all of Istio's keys");
});

t.test('connection operators: peer identity, TLS, upstream aliases', async (t) => {
  const tls: DownstreamTlsInfo = {
    peerUriSans: ['spiffe://cluster.local/ns/shop/sa/web'],
    peerPrincipal: 'cluster.local/ns/shop/sa/web',
    peerCertSha256: 'ab'.repeat(32),
    localUriSan: 'spiffe://cluster.local/ns/shop/sa/cart',
    alpn: 'istio-http/1.1',
    version: 'TLSv1.3',
  };
  const fmt =
    '%DOWNSTREAM_PEER_URI_SAN%|%DOWNSTREAM_LOCAL_URI_SAN%|%DOWNSTREAM_TLS_VERSION%|' +
    '%DOWNSTREAM_PEER_FINGERPRINT_256%|%UPSTREAM_PEER_URI_SAN%|%UPSTREAM_LOCAL_URI_SAN%|' +
    '%UPSTREAM_REMOTE_ADDRESS%|%UPSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%|' +
    '%UPSTREAM_LOCAL_ADDRESS_WITHOUT_PORT%|%DOWNSTREAM_DIRECT_REMOTE_ADDRESS%|' +
    '%DOWNSTREAM_DIRECT_REMOTE_ADDRESS_WITHOUT_PORT%';
  const r = fakeRecord({
    downstreamTls: tls,
    upstreamPeerUriSan: 'spiffe://cluster.local/ns/db/sa/db',
    upstreamLocalUriSan: 'spiffe://cluster.local/ns/shop/sa/cart',
    upstreamHost: '10.0.0.2:5432',
    upstreamLocalAddress: '[::1]:40000',
    downstreamRemoteAddress: '10.1.1.1:5555',
  });
  t.equal(
    compileTextFormat(fmt)(r),
    'spiffe://cluster.local/ns/shop/sa/web|spiffe://cluster.local/ns/shop/sa/cart|TLSv1.3|' +
      `${'ab'.repeat(32)}|spiffe://cluster.local/ns/db/sa/db|spiffe://cluster.local/ns/shop/sa/cart|` +
      '10.0.0.2:5432|10.0.0.2|::1|10.1.1.1:5555|10.1.1.1',
  );
  const two = fakeRecord({ downstreamTls: { ...tls, peerUriSans: ['spiffe://a', 'spiffe://b'] } });
  t.equal(compileTextFormat('%DOWNSTREAM_PEER_URI_SAN%')(two), 'spiffe://a,spiffe://b', 'comma-joined');
  t.equal(compileTextFormat(fmt)(fakeRecord()), '-|-|-|-|-|-|-|-|-|-|-', 'plaintext: all unset');
  const json = JSON.parse(compileJsonFormat({ peer: '%DOWNSTREAM_PEER_URI_SAN%' })(fakeRecord()));
  t.equal(json.peer, null, 'unset is null in JSON');
  t.match(compileTextFormat('%HOSTNAME%')(fakeRecord()), /^[^-\s]/);
  t.equal(validateTextFormat('%DOWNSTREAM_PEER_URI_SAN(x)%'), '%DOWNSTREAM_PEER_URI_SAN% takes no argument');
  t.equal(validateTextFormat(ISTIO_TEXT_FORMAT), null);
});
