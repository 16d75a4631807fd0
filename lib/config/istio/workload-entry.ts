/** `WorkloadEntry` spec, also the shape of a ServiceEntry endpoint. */
import type { FieldReader } from '../reader.js';
import { labelsField } from './istio-common.js';
import type { WorkloadEntrySpec } from './model.js';
import { isDns1123Label, isFqdn, isIpAddress } from './names.js';

/** How an endpoint's address is checked: by its ServiceEntry's resolution, or loosely alone. */
export type AddressRule = 'ip' | 'ip-or-fqdn';

/** One WorkloadEntry (or endpoint); `servicePorts` = the ServiceEntry's port names, if any. */
export function readWorkloadEntry(
  r: FieldReader,
  rule: AddressRule,
  servicePorts: ReadonlySet<string> | null,
): WorkloadEntrySpec {
  const address = r.string('address') ?? '';
  const network = r.string('network') ?? '';
  const ports: Record<string, number> = {};
  const pm = r.map('ports');
  for (const name of pm?.names() ?? []) {
    if (!isDns1123Label(name)) pm?.error(name, `invalid port name "${name}"`);
    else if (servicePorts !== null && !servicePorts.has(name)) {
      pm?.error(name, `port "${name}" is not defined by the ServiceEntry`);
    }
    const n = pm?.int(name, 1, 65_535);
    if (n !== undefined) ports[name] = n;
  }
  if (address === '') {
    if (network === '') r.error(null, 'missing required field "address"');
    else r.warn(null, `address is unset with network "${network}"`);
  } else if (address.startsWith('unix://')) {
    if (!address.slice(7).startsWith('/') && !address.slice(7).startsWith('@')) {
      r.error('address', `"${address}" is not an absolute unix socket path`);
    }
    if (Object.keys(ports).length > 0) r.error('ports', 'a unix endpoint must not have ports');
  } else if (!isIpAddress(address)) {
    if (rule === 'ip') r.error('address', `"${address}" is not a valid IP address`);
    else if (!isFqdn(address)) r.error('address', `"${address}" is not a valid IP address or FQDN`);
  }
  const out: WorkloadEntrySpec = {
    address,
    ports,
    labels: labelsField(r, 'labels'),
    network,
    locality: r.string('locality') ?? '',
    weight: r.int('weight') ?? 0,
    serviceAccount: r.string('serviceAccount') ?? '',
  };
  r.finish();
  return out;
}

/** The `spec` of a WorkloadEntry. */
export function decodeWorkloadEntrySpec(r: FieldReader): WorkloadEntrySpec {
  return readWorkloadEntry(r, 'ip-or-fqdn', null);
}
