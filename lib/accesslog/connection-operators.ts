/**
 * Command operators about the connections around a stream: TLS peer identity (Istio's
 * `%DOWNSTREAM_PEER_URI_SAN%`) and the host name. Kept apart from operators.ts, which holds the
 * request/response and address ones and makes these string operators.
 */
import { hostname } from 'node:os';
import type { AccessLogRecord } from './record.js';

/** `[name, text, line]` of a string operator without argument; `line` must equal `text(r) ?? '-'`. */
type Entry = readonly [string, (r: AccessLogRecord) => string | null, (r: AccessLogRecord) => string];

/** Envoy joins several URI SANs with commas; none (or plaintext) is unset. */
function joinSans(sans: readonly string[] | undefined): string | null {
  if (sans === undefined || sans.length === 0) return null;
  return sans.length === 1 ? sans[0]! : sans.join(',');
}

// Read once: the host name does not change while the process runs.
let host: string | null = null;
function hostName(): string {
  host ??= hostname();
  return host;
}

/** Entries merged into OPERATORS. */
export const CONNECTION_OPERATORS: readonly Entry[] = [
  [
    'DOWNSTREAM_PEER_URI_SAN',
    (r) => joinSans(r.downstreamTls?.peerUriSans),
    (r) => joinSans(r.downstreamTls?.peerUriSans) ?? '-',
  ],
  [
    'DOWNSTREAM_LOCAL_URI_SAN',
    (r) => r.downstreamTls?.localUriSan || null,
    (r) => r.downstreamTls?.localUriSan || '-',
  ],
  ['DOWNSTREAM_TLS_VERSION', (r) => r.downstreamTls?.version || null, (r) => r.downstreamTls?.version || '-'],
  [
    'DOWNSTREAM_PEER_FINGERPRINT_256',
    (r) => r.downstreamTls?.peerCertSha256 || null,
    (r) => r.downstreamTls?.peerCertSha256 || '-',
  ],
  ['UPSTREAM_PEER_URI_SAN', (r) => r.upstreamPeerUriSan || null, (r) => r.upstreamPeerUriSan || '-'],
  ['UPSTREAM_LOCAL_URI_SAN', (r) => r.upstreamLocalUriSan || null, (r) => r.upstreamLocalUriSan || '-'],
  ['HOSTNAME', hostName, hostName],
];
