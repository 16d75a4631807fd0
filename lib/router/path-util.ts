/**
 * Small string helpers for the per-request path. Case folding is ASCII-only, as Envoy's
 * absl::AsciiStrToLower / EqualsIgnoreCase, and never allocates.
 */

/** Index where the query string or fragment starts (`?` or `#`), else `path.length`. */
export function pathEnd(path: string): number {
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c === 63 /* ? */ || c === 35 /* # */) return i;
  }
  return path.length;
}

/** The path without query string and fragment (Envoy's PathUtil::removeQueryAndFragment). */
export function pathWithoutQuery(path: string): string {
  const end = pathEnd(path);
  return end === path.length ? path : path.slice(0, end);
}

/** ASCII lower-casing, for compiling patterns once. */
export function asciiLower(s: string): string {
  return /[A-Z]/.test(s) ? s.replace(/[A-Z]+/g, (m) => m.toLowerCase()) : s;
}

function fold(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}

/** True when `s` holds `lower` (already lower-cased) at `offset`, ignoring ASCII case. */
export function regionEqualsLower(s: string, offset: number, lower: string): boolean {
  if (offset < 0 || offset + lower.length > s.length) return false;
  for (let i = 0; i < lower.length; i++) {
    if (fold(s.charCodeAt(offset + i)) !== lower.charCodeAt(i)) return false;
  }
  return true;
}

/** Case-insensitive `includes` against an already lower-cased needle. */
export function containsLower(s: string, lower: string): boolean {
  const last = s.length - lower.length;
  for (let i = 0; i <= last; i++) if (regionEqualsLower(s, i, lower)) return true;
  return false;
}

/**
 * Where the `:port` of a Host value starts, or -1. IPv6 literals are bracketed (RFC 3986 §3.2.2),
 * so a colon before the closing `]` is not a port separator (Envoy's HeaderUtility::getPortStart).
 */
export function portStart(host: string): number {
  const colon = host.lastIndexOf(':');
  if (colon === -1) return -1;
  const v6End = host.lastIndexOf(']');
  return v6End === -1 || v6End < colon ? colon : -1;
}

/** `ip:port` or `[v6]:port` → the address alone. */
export function addressWithoutPort(address: string): string {
  if (address.charCodeAt(0) === 91 /* [ */) {
    const end = address.indexOf(']');
    return end === -1 ? address : address.slice(1, end);
  }
  const colon = address.lastIndexOf(':');
  // A bare IPv6 address (several colons, no brackets) carries no port we can separate.
  if (colon === -1 || address.indexOf(':') !== colon) return address;
  return address.slice(0, colon);
}
