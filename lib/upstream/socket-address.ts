/** `ip:port` as Envoy prints addresses: an IPv6 address in brackets. */
export function formatAuthority(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

/** One end of a socket as `ip:port`; null when the socket has no address (it never connected). */
export function socketAddress(ip: string | undefined, port: number | undefined): string | null {
  return ip === undefined ? null : formatAuthority(ip, port as number);
}
