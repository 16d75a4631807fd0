import { isIP } from 'node:net';

/** A destination taken from an ORIGINAL_DST request header. */
export interface OriginalDstAddress {
  /** IP literal or (Skiff extension) a lower-cased DNS name; no brackets. */
  readonly address: string;
  readonly port: number;
  /** The DNS name, or "" for an IP (the host's `hostname`, as auto_host_rewrite reads it). */
  readonly hostname: string;
  /** `address:port` (`[v6]:port`): one host per distinct key. */
  readonly key: string;
}

// RFC 1123 labels (underscores tolerated, as resolvers do), at most 253 characters in all.
const DNS_NAME =
  /^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*\.?$/;
const PORT = /^\d{1,5}$/;

/**
 * Parses `host[:port]` (IPv6 as `[addr]:port`, or bare without a port). Envoy accepts only
 * `ip:port`; Skiff also takes DNS names and a missing port (`defaultPort`), so routing by Host
 * works without iptables. `portOverride` (upstream_port_override) replaces any port. Null when
 * the value is not a host.
 */
export function parseOriginalDst(
  value: string,
  defaultPort: number,
  portOverride: number | null,
): OriginalDstAddress | null {
  let host: string;
  let portText: string | null = null;
  if (value.charCodeAt(0) === 91 /* '[' */) {
    const end = value.indexOf(']');
    if (end === -1) return null;
    host = value.slice(1, end);
    if (isIP(host) !== 6) return null;
    if (end + 1 < value.length) {
      if (value.charCodeAt(end + 1) !== 58 /* ':' */) return null;
      portText = value.slice(end + 2);
    }
  } else {
    const colon = value.indexOf(':');
    if (colon === -1) {
      host = value;
    } else if (value.indexOf(':', colon + 1) !== -1) {
      // Two colons without brackets can only be a bare IPv6 address (no port).
      if (isIP(value) !== 6) return null;
      host = value;
    } else {
      host = value.slice(0, colon);
      portText = value.slice(colon + 1);
    }
    if (isIP(host) === 0) {
      host = host.toLowerCase();
      if (!DNS_NAME.test(host)) return null;
    }
  }
  let port = defaultPort;
  if (portText !== null) {
    if (!PORT.test(portText)) return null;
    port = Number(portText);
    if (port < 1 || port > 65_535) return null;
  }
  if (portOverride !== null) port = portOverride;
  const v6 = host.includes(':');
  return {
    address: host,
    port,
    hostname: v6 || isIP(host) !== 0 ? '' : host,
    key: v6 ? `[${host}]:${port}` : `${host}:${port}`,
  };
}
