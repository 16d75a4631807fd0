/** `TrafficPolicy` of a DestinationRule (and of its subsets and port-level settings). */
import type { FieldReader } from '../reader.js';
import {
  boolValue,
  durationField,
  INT32_MAX,
  int32Field,
  portSelector,
  uint32Value,
} from './istio-common.js';
import { readLoadBalancer } from './load-balancer.js';
import type {
  ClientTlsSettings,
  ConnectionPoolSettings,
  HttpPoolSettings,
  IstioOutlierDetection,
  PortTrafficPolicy,
  TcpPoolSettings,
  TrafficPolicy,
} from './model.js';

function readTcpPool(r: FieldReader): TcpPoolSettings {
  const ka = r.object('tcpKeepalive');
  let tcpKeepalive: TcpPoolSettings['tcpKeepalive'] = null;
  if (ka !== undefined) {
    tcpKeepalive = {
      probes: ka.int('probes') ?? 0,
      timeMs: durationField(ka, 'time'),
      intervalMs: durationField(ka, 'interval'),
    };
    ka.finish();
  }
  const out: TcpPoolSettings = {
    maxConnections: int32Field(r, 'maxConnections'),
    connectTimeoutMs: durationField(r, 'connectTimeout'),
    tcpKeepalive,
    maxConnectionDurationMs: durationField(r, 'maxConnectionDuration'),
    idleTimeoutMs: durationField(r, 'idleTimeout'),
  };
  r.finish();
  return out;
}

function readHttpPool(r: FieldReader): HttpPoolSettings {
  const out: HttpPoolSettings = {
    http1MaxPendingRequests: int32Field(r, 'http1MaxPendingRequests'),
    http2MaxRequests: int32Field(r, 'http2MaxRequests'),
    maxRequestsPerConnection: int32Field(r, 'maxRequestsPerConnection'),
    maxRetries: int32Field(r, 'maxRetries'),
    idleTimeoutMs: durationField(r, 'idleTimeout'),
    h2UpgradePolicy:
      r.enumValue('h2UpgradePolicy', ['DEFAULT', 'DO_NOT_UPGRADE', 'UPGRADE'] as const) ?? 'DEFAULT',
    useClientProtocol: r.bool('useClientProtocol') ?? false,
    maxConcurrentStreams: int32Field(r, 'maxConcurrentStreams'),
  };
  if (out.h2UpgradePolicy === 'UPGRADE' && out.useClientProtocol) {
    r.error('useClientProtocol', 'must not be true when h2UpgradePolicy is UPGRADE');
  }
  r.finish({ unsupported: { http2KeepAlive: '' } });
  return out;
}

function readConnectionPool(r: FieldReader): ConnectionPoolSettings {
  const tcp = r.object('tcp');
  const http = r.object('http');
  if (tcp === undefined && http === undefined)
    r.error(null, 'a connection pool needs tcp and/or http settings');
  const out = {
    tcp: tcp === undefined ? null : readTcpPool(tcp),
    http: http === undefined ? null : readHttpPool(http),
  };
  r.finish();
  return out;
}

function readOutlier(r: FieldReader): IstioOutlierDetection {
  if (r.has('consecutiveErrors')) {
    r.warn(
      'consecutiveErrors',
      'deprecated and ignored by istiod; use consecutive5xxErrors or consecutiveGatewayErrors',
    );
    r.int('consecutiveErrors', 0, INT32_MAX);
  }
  const out: IstioOutlierDetection = {
    consecutive5xxErrors: uint32Value(r, 'consecutive5xxErrors'),
    consecutiveGatewayErrors: uint32Value(r, 'consecutiveGatewayErrors'),
    consecutiveLocalOriginFailures: uint32Value(r, 'consecutiveLocalOriginFailures'),
    splitExternalLocalOriginErrors: r.bool('splitExternalLocalOriginErrors') ?? false,
    intervalMs: durationField(r, 'interval'),
    baseEjectionTimeMs: durationField(r, 'baseEjectionTime'),
    maxEjectionPercent: r.int('maxEjectionPercent', 0, 100) ?? 0,
    minHealthPercent: r.int('minHealthPercent', 0, 100) ?? 0,
  };
  if (!out.splitExternalLocalOriginErrors && (out.consecutiveLocalOriginFailures ?? 0) > 0) {
    r.error('consecutiveLocalOriginFailures', 'requires splitExternalLocalOriginErrors: true');
  }
  r.finish({ unsupported: { outlierDetectionHttpErrorCodes: '' } });
  return out;
}

function readTls(r: FieldReader): ClientTlsSettings {
  const out: ClientTlsSettings = {
    mode: r.enumValue('mode', ['DISABLE', 'SIMPLE', 'MUTUAL', 'ISTIO_MUTUAL'] as const) ?? 'DISABLE',
    clientCertificate: r.string('clientCertificate') ?? '',
    privateKey: r.string('privateKey') ?? '',
    caCertificates: r.string('caCertificates') ?? '',
    credentialName: r.string('credentialName') ?? '',
    subjectAltNames: r.strings('subjectAltNames'),
    sni: r.string('sni') ?? '',
    insecureSkipVerify: boolValue(r, 'insecureSkipVerify'),
  };
  const { mode } = out;
  if (out.insecureSkipVerify === true && mode === 'SIMPLE') {
    if (out.subjectAltNames.length > 0)
      r.error('subjectAltNames', 'cannot be set with insecureSkipVerify: true');
    if (out.caCertificates !== '') r.error('caCertificates', 'cannot be set with insecureSkipVerify: true');
  }
  if ((mode === 'SIMPLE' || mode === 'MUTUAL') && out.credentialName !== '') {
    if (out.clientCertificate !== '' || out.caCertificates !== '' || out.privateKey !== '') {
      r.error(
        'credentialName',
        'client certificate, private key and CA certificates cannot be set with credentialName',
      );
    }
  } else if (mode === 'MUTUAL') {
    if (out.clientCertificate === '') r.error(null, 'MUTUAL TLS requires clientCertificate');
    if (out.privateKey === '') r.error(null, 'MUTUAL TLS requires privateKey');
  }
  r.finish({ unsupported: { caCrl: '' } });
  return out;
}

const POLICY_FIELDS = ['loadBalancer', 'connectionPool', 'outlierDetection', 'tls'];

function readPolicyFields(r: FieldReader): PortTrafficPolicy {
  const lb = r.object('loadBalancer');
  const pool = r.object('connectionPool');
  const od = r.object('outlierDetection');
  const tls = r.object('tls');
  return {
    loadBalancer: lb === undefined ? null : readLoadBalancer(lb),
    connectionPool: pool === undefined ? null : readConnectionPool(pool),
    outlierDetection: od === undefined ? null : readOutlier(od),
    tls: tls === undefined ? null : readTls(tls),
  };
}

/** A `TrafficPolicy`; istiod rejects an empty one. */
export function readTrafficPolicy(r: FieldReader): TrafficPolicy {
  const base = readPolicyFields(r);
  const portLevelSettings = r.objects('portLevelSettings').map((p) => {
    if (!p.has('port')) p.error(null, 'missing required field "port"');
    const port = portSelector(p, 'port') ?? 0;
    if (!POLICY_FIELDS.some((f) => p.has(f)))
      p.error(null, 'a port traffic policy needs at least one setting');
    const fields = readPolicyFields(p);
    p.finish();
    return { port, ...fields };
  });
  if (
    ![...POLICY_FIELDS, 'portLevelSettings', 'tunnel', 'proxyProtocol', 'retryBudget'].some((f) => r.has(f))
  ) {
    r.error(null, 'a traffic policy needs at least one setting');
  }
  r.finish({ unsupported: { tunnel: '', proxyProtocol: '', retryBudget: '' } });
  return { ...base, portLevelSettings };
}
