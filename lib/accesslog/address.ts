/** `ip:port` → `ip`; `[v6]:port` → `v6`; anything else unchanged. */
export function withoutPort(addr: string | null): string | null {
  if (addr === null) return null;
  if (addr.startsWith('[')) {
    const end = addr.indexOf(']');
    return end < 0 ? addr : addr.slice(1, end);
  }
  const i = addr.indexOf(':');
  return i >= 0 && i === addr.lastIndexOf(':') ? addr.slice(0, i) : addr;
}
