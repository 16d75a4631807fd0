import { lookup } from 'node:dns/promises';
import type { DnsLookupFamily } from '../config/model.js';

/** Turns a DNS name into addresses for one `dns_lookup_family`; rejects when the lookup fails. */
export interface DnsResolver {
  resolve(name: string, family: DnsLookupFamily): Promise<string[]>;
}

interface LookupEntry {
  readonly address: string;
  readonly family: number;
}

/**
 * Applies Envoy's family policy to a mixed answer: AUTO prefers IPv6 and falls back to IPv4,
 * V4_PREFERRED the reverse, ALL keeps both (resolver order), the *_ONLY modes filter.
 */
export function selectAddresses(entries: readonly LookupEntry[], family: DnsLookupFamily): string[] {
  const v4: string[] = [];
  const v6: string[] = [];
  const all: string[] = [];
  for (const e of entries) {
    if (all.includes(e.address)) continue;
    all.push(e.address);
    (e.family === 6 ? v6 : v4).push(e.address);
  }
  switch (family) {
    case 'V4_ONLY':
      return v4;
    case 'V6_ONLY':
      return v6;
    case 'AUTO':
      return v6.length > 0 ? v6 : v4;
    case 'V4_PREFERRED':
      return v4.length > 0 ? v4 : v6;
    case 'ALL':
      return all;
  }
}

/** The OS resolver (`getaddrinfo` via `dns.lookup`), so /etc/hosts and search domains apply. */
export const systemDnsResolver: DnsResolver = {
  async resolve(name, family) {
    const entries = await lookup(name, {
      all: true,
      family: family === 'V4_ONLY' ? 4 : family === 'V6_ONLY' ? 6 : 0,
      verbatim: true,
    });
    return selectAddresses(entries, family);
  },
};
