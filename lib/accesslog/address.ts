import { addressWithoutPort } from '../router/path-util.js';

/** `ip:port` → `ip`; `[v6]:port` → `v6`; anything else unchanged; null stays null. */
export function withoutPort(addr: string | null): string | null {
  return addr === null ? null : addressWithoutPort(addr);
}
