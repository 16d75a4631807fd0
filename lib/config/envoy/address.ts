import { isIP } from 'node:net';
import type { SocketAddress } from '../model.js';
import type { FieldReader } from '../reader.js';
import { ADDRESS_RULES, SOCKET_ADDRESS_RULES } from './field-rules.js';

export interface AddressOptions {
  /** Listeners and STATIC endpoints need an IP literal; DNS clusters take hostnames. */
  readonly requireIp: boolean;
  /** Lowest acceptable port (0 for listeners: bind an ephemeral port). */
  readonly minPort: number;
}

/** Decodes `address: { socket_address: { address, port_value } }` from the field `name` of `r`. */
export function readAddress(r: FieldReader, name: string, opts: AddressOptions): SocketAddress | undefined {
  const a = r.requiredObject(name);
  if (a === undefined) return undefined;
  const sa = a.requiredObject('socket_address');
  a.finish(ADDRESS_RULES);
  if (sa === undefined) return undefined;
  const address = sa.requiredString('address');
  const port = sa.int('port_value', opts.minPort, 65535);
  if (!sa.has('port_value') && opts.minPort > 0) sa.error(null, 'missing required field "port_value"');
  sa.enumValue('protocol', ['TCP'], ['UDP']);
  sa.finish(SOCKET_ADDRESS_RULES);
  if (address === '') return undefined;
  if (opts.requireIp && isIP(address) === 0) {
    sa.error('address', `"${address}" is not an IP address`);
    return undefined;
  }
  return { address, port: port ?? 0 };
}

export function formatAddress(a: SocketAddress): string {
  return isIP(a.address) === 6 ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
}
