/**
 * Command operators about the connections around a stream: TLS peer identity (Istio's
 * `%DOWNSTREAM_PEER_URI_SAN%`), upstream aliases and the host name. Kept apart from
 * operators.ts, which holds the request/response ones.
 */
import { hostname } from 'node:os';
import { withoutPort } from './address.js';
import type { Operator } from './operators.js';
import type { AccessLogRecord } from './record.js';

type Get = (r: AccessLogRecord) => string | null;
type Entry = readonly [string, (name: string, arg: string | null) => Operator | string];

/** A string operator without argument; `line` must equal `text(r) ?? '-'`. */
function op(name: string, text: Get, line: (r: AccessLogRecord) => string): Entry {
  const o: Operator = { text, num: null, line };
  return [name, (n, arg) => (arg === null ? o : `%${n}% takes no argument`)];
}

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
  op(
    'DOWNSTREAM_PEER_URI_SAN',
    (r) => joinSans(r.downstreamTls?.peerUriSans),
    (r) => joinSans(r.downstreamTls?.peerUriSans) ?? '-',
  ),
  op(
    'DOWNSTREAM_LOCAL_URI_SAN',
    (r) => r.downstreamTls?.localUriSan || null,
    (r) => r.downstreamTls?.localUriSan || '-',
  ),
  op(
    'DOWNSTREAM_TLS_VERSION',
    (r) => r.downstreamTls?.version || null,
    (r) => r.downstreamTls?.version || '-',
  ),
  op(
    'DOWNSTREAM_PEER_FINGERPRINT_256',
    (r) => r.downstreamTls?.peerCertSha256 || null,
    (r) => r.downstreamTls?.peerCertSha256 || '-',
  ),
  op(
    'UPSTREAM_PEER_URI_SAN',
    (r) => r.upstreamPeerUriSan || null,
    (r) => r.upstreamPeerUriSan || '-',
  ),
  op(
    'UPSTREAM_LOCAL_URI_SAN',
    (r) => r.upstreamLocalUriSan || null,
    (r) => r.upstreamLocalUriSan || '-',
  ),
  // Envoy's UPSTREAM_HOST is the remote address of the upstream connection: same value.
  op(
    'UPSTREAM_REMOTE_ADDRESS',
    (r) => r.upstreamHost,
    (r) => r.upstreamHost ?? '-',
  ),
  op(
    'UPSTREAM_REMOTE_ADDRESS_WITHOUT_PORT',
    (r) => withoutPort(r.upstreamHost),
    (r) => withoutPort(r.upstreamHost) ?? '-',
  ),
  op(
    'UPSTREAM_LOCAL_ADDRESS_WITHOUT_PORT',
    (r) => withoutPort(r.upstreamLocalAddress),
    (r) => withoutPort(r.upstreamLocalAddress) ?? '-',
  ),
  // No proxy protocol or XFF trust here: the direct peer is the remote address.
  op(
    'DOWNSTREAM_DIRECT_REMOTE_ADDRESS',
    (r) => r.downstreamRemoteAddress,
    (r) => r.downstreamRemoteAddress ?? '-',
  ),
  op(
    'DOWNSTREAM_DIRECT_REMOTE_ADDRESS_WITHOUT_PORT',
    (r) => withoutPort(r.downstreamRemoteAddress),
    (r) => withoutPort(r.downstreamRemoteAddress) ?? '-',
  ),
  op('HOSTNAME', hostName, hostName),
];
