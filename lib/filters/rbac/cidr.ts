import { BlockList, isIP } from 'node:net';
import type { CidrRangeConfig } from '../../config/model.js';

/**
 * One `CidrRange`, checked with Node's BlockList (native; IPv4-mapped IPv6 peers such as
 * `::ffff:10.0.0.1` match IPv4 ranges, as Envoy's dual-stack listeners see them).
 */
export class CidrMatcher {
  private readonly list = new BlockList();

  constructor(c: CidrRangeConfig) {
    this.list.addSubnet(c.addressPrefix, c.prefixLen, isIP(c.addressPrefix) === 6 ? 'ipv6' : 'ipv4');
  }

  /** `address` is a bare IP; anything else never matches. */
  matches(address: string): boolean {
    const family = isIP(address);
    if (family === 0) return false;
    return this.list.check(address, family === 6 ? 'ipv6' : 'ipv4');
  }
}

/** The IP of an `ip:port` string as the stream reports addresses (IPv6 without brackets). */
export function hostOf(address: string): string {
  const i = address.lastIndexOf(':');
  return i < 0 ? address : address.slice(0, i);
}

/** The port of an `ip:port` string, or -1. */
export function portOf(address: string): number {
  const i = address.lastIndexOf(':');
  if (i < 0) return -1;
  const n = Number(address.slice(i + 1));
  return Number.isInteger(n) ? n : -1;
}
