/** `ServiceEntry` spec: hosts, addresses, ports, resolution and endpoints. */
import type { FieldReader } from '../reader.js';
import { exportToField, workloadSelectorField } from './istio-common.js';
import type { ServiceEntrySpec, ServicePort } from './model.js';
import { isDns1123Label, isFqdn, isIpOrCidr, isWildcardDomain } from './names.js';
import { readWorkloadEntry } from './workload-entry.js';

// Istio's protocol names (`pkg/config/protocol`), matched case-insensitively.
const PROTOCOLS = new Set([
  'HTTP',
  'HTTPS',
  'HTTP2',
  'HTTP_PROXY',
  'GRPC',
  'GRPC-WEB',
  'TCP',
  'TLS',
  'UDP',
  'MONGO',
  'REDIS',
  'MYSQL',
]);
const L7_OR_TLS = new Set(['HTTP', 'HTTPS', 'HTTP2', 'HTTP_PROXY', 'GRPC', 'GRPC-WEB', 'TLS']);

/** A port protocol check shared with the Sidecar decoder: "" = auto-detect. */
export function protocolProblem(p: string): string | null {
  return p === '' || PROTOCOLS.has(p.toUpperCase()) ? null : `unsupported protocol "${p}"`;
}

function readPort(r: FieldReader): ServicePort {
  if (!r.has('number')) r.error(null, 'missing required field "number"');
  const name = r.requiredString('name');
  if (name !== '' && !isDns1123Label(name)) r.error('name', `invalid port name "${name}"`);
  const protocol = r.string('protocol') ?? '';
  const bad = protocolProblem(protocol);
  if (bad !== null) r.error('protocol', bad);
  const out: ServicePort = {
    number: r.int('number', 1, 65_535) ?? 0,
    protocol,
    name,
    targetPort: r.int('targetPort', 1, 65_535) ?? 0,
  };
  r.finish();
  return out;
}

/** The `spec` of a ServiceEntry in `namespace`. */
export function decodeServiceEntrySpec(r: FieldReader, namespace: string): ServiceEntrySpec {
  const hosts = r.strings('hosts');
  if (hosts.length === 0) r.error(r.has('hosts') ? 'hosts' : null, 'a ServiceEntry needs at least one host');
  for (const h of hosts) {
    if (h === '*' || !isWildcardDomain(h, true)) r.error('hosts', `invalid host "${h}"`);
  }
  const addresses = r.strings('addresses');
  for (const a of addresses) if (!isIpOrCidr(a)) r.error('addresses', `invalid IP or CIDR "${a}"`);
  const ports = r.objects('ports').map(readPort);
  const names = new Set<string>();
  const numbers = new Set<number>();
  for (const p of ports) {
    if (p.name !== '' && names.has(p.name)) r.error('ports', `port name "${p.name}" is defined twice`);
    if (p.number !== 0 && numbers.has(p.number)) r.error('ports', `port ${p.number} is defined twice`);
    names.add(p.name);
    numbers.add(p.number);
  }
  const location = r.enumValue('location', ['MESH_EXTERNAL', 'MESH_INTERNAL'] as const) ?? 'MESH_EXTERNAL';
  const resolution =
    r.enumValue('resolution', ['NONE', 'STATIC', 'DNS', 'DNS_ROUND_ROBIN'] as const) ?? 'NONE';
  const rule = resolution === 'STATIC' ? 'ip' : 'ip-or-fqdn';
  const endpoints = r.objects('endpoints').map((e) => readWorkloadEntry(e, rule, names));
  const workloadSelector = workloadSelectorField(r, 'workloadSelector', 'labels');
  if (workloadSelector !== null && r.has('endpoints')) {
    r.error(null, 'only one of workloadSelector and endpoints may be set');
  }
  if (addresses.some((a) => a.includes('/')) && resolution !== 'NONE' && resolution !== 'STATIC') {
    r.error('addresses', 'CIDR addresses are allowed only with resolution NONE or STATIC');
  }
  if (resolution === 'NONE' && endpoints.length > 0)
    r.error('endpoints', 'resolution NONE takes no endpoints');
  if ((resolution === 'DNS' || resolution === 'DNS_ROUND_ROBIN') && endpoints.length === 0) {
    for (const h of hosts) {
      if (!isFqdn(h))
        r.error('hosts', `hosts must be FQDNs when resolution ${resolution} has no endpoints ("${h}")`);
    }
  }
  if (resolution === 'DNS_ROUND_ROBIN' && endpoints.length > 1) {
    r.error('endpoints', 'resolution DNS_ROUND_ROBIN takes at most one endpoint');
  }
  if (
    resolution !== 'NONE' &&
    hosts.length > 1 &&
    ports.some((p) => !L7_OR_TLS.has(p.protocol.toUpperCase()))
  ) {
    r.error(
      'hosts',
      'several hosts need HTTP or TLS ports (plain TCP cannot tell them apart) unless resolution is NONE',
    );
  }
  const out: ServiceEntrySpec = {
    hosts,
    addresses,
    ports,
    location,
    resolution,
    endpoints,
    workloadSelector,
    exportTo: exportToField(r, namespace, true),
    subjectAltNames: r.strings('subjectAltNames'),
  };
  r.finish();
  return out;
}
