/** `VirtualService` spec: hosts, gateways, HTTP routes in full, TCP/TLS routes shallowly. */
import type { FieldReader } from '../reader.js';
import { gatewaysField } from './http-match.js';
import { readHttpRoute } from './http-route.js';
import { destinationField, exportToField, int32Field, labelsField, portField } from './istio-common.js';
import type { L4Match, L4Route, L4RouteDestination, VirtualServiceSpec } from './model.js';
import { isIpAddress, isIpOrCidr, isWildcardDomain } from './names.js';

function readL4Match(r: FieldReader, tls: boolean): L4Match {
  const destinationSubnets = r.strings('destinationSubnets');
  for (const s of destinationSubnets) {
    if (!isIpOrCidr(s)) r.error('destinationSubnets', `invalid IP or CIDR "${s}"`);
  }
  const sniHosts = tls ? r.strings('sniHosts') : [];
  if (tls && sniHosts.length === 0) r.error(null, 'a TLS match needs at least one sniHosts entry');
  const out: L4Match = {
    destinationSubnets,
    port: portField(r, 'port'),
    sourceLabels: labelsField(r, 'sourceLabels'),
    gateways: gatewaysField(r, 'gateways'),
    sourceNamespace: r.string('sourceNamespace') ?? '',
    sniHosts,
  };
  r.finish({ unsupported: { sourceSubnet: 'deprecated' } });
  return out;
}

function readL4Route(r: FieldReader, tls: boolean): L4Route {
  const match = r.objects('match').map((m) => readL4Match(m, tls));
  const route: L4RouteDestination[] = [];
  const items = r.objects('route');
  for (const d of items) {
    const destination = destinationField(d, 'destination');
    const weight = int32Field(d, 'weight');
    d.finish();
    if (destination !== null) route.push({ destination, weight });
  }
  if (items.length === 0)
    r.error(r.has('route') ? 'route' : null, `a ${tls ? 'TLS' : 'TCP'} route needs a route`);
  if (items.length > 1 && route.length === items.length && route.every((d) => d.weight === 0)) {
    r.error('route', 'the total weight of several destinations must be greater than 0');
  }
  if (tls && match.length === 0) r.error(null, 'a TLS route needs at least one match');
  r.finish();
  return { match, route };
}

/** The `spec` of a VirtualService in `namespace`. */
export function decodeVirtualServiceSpec(r: FieldReader, namespace: string): VirtualServiceSpec {
  const hosts = r.strings('hosts');
  const gateways = gatewaysField(r, 'gateways');
  const meshBound = gateways.length === 0 || gateways.includes('mesh');
  const isDelegate = hosts.length === 0;
  hosts.forEach((h, i) => {
    if (meshBound && h === '*') {
      r.error('hosts', 'wildcard host "*" is not allowed for VirtualServices bound to the mesh');
    } else if (!isWildcardDomain(h, true) && !isIpAddress(h)) {
      r.error('hosts', `invalid host "${h}"`);
    } else if (hosts.indexOf(h) !== i) {
      r.error('hosts', `duplicate host "${h}"`);
    }
  });
  if (isDelegate && gateways.length > 0)
    r.error('gateways', 'a delegate VirtualService (no hosts) has no gateways');
  const http = r.objects('http').map((h) => readHttpRoute(h, { namespace, meshBound, isDelegate }));
  const tcp = r.objects('tcp').map((t) => readL4Route(t, false));
  const tls = r.objects('tls').map((t) => readL4Route(t, true));
  if (isDelegate && (tcp.length > 0 || tls.length > 0)) {
    r.error(null, 'a delegate VirtualService (no hosts) may hold only http routes');
  }
  if (!r.has('http') && !r.has('tcp') && !r.has('tls')) {
    r.error(null, 'a VirtualService needs http, tcp or tls routes');
  }
  const out: VirtualServiceSpec = {
    hosts,
    gateways,
    http,
    tcp,
    tls,
    exportTo: exportToField(r, namespace, false),
  };
  r.finish();
  return out;
}
