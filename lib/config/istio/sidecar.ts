/** `Sidecar` spec: the listeners and egress scope of a workload's proxy. */
import type { FieldReader } from '../reader.js';
import { workloadSelectorField } from './istio-common.js';
import type { CaptureMode, SidecarEgress, SidecarIngress, SidecarPort, SidecarSpec } from './model.js';
import { isDns1123Label, isIpAddress, isWildcardDomain } from './names.js';
import { protocolProblem } from './service-entry.js';

const CAPTURE = ['DEFAULT', 'IPTABLES', 'NONE'] as const;

function readPort(r: FieldReader, allowZero: boolean): SidecarPort {
  const name = r.string('name') ?? '';
  if (name !== '' && !isDns1123Label(name)) r.error('name', `invalid port name "${name}"`);
  const protocol = r.string('protocol') ?? '';
  const bad = protocolProblem(protocol);
  if (bad !== null) r.error('protocol', bad);
  const out = { number: r.int('number', allowZero ? 0 : 1, 65_535) ?? 0, protocol, name };
  r.finish({ unsupported: { targetPort: 'it has no effect on Sidecars' } });
  return out;
}

function bindField(r: FieldReader): string {
  const bind = r.string('bind') ?? '';
  if (bind !== '' && !bind.startsWith('unix://') && !isIpAddress(bind)) {
    r.error('bind', `"${bind}" is not an IP address or unix://path`);
  }
  return bind;
}

// 127.0.0.1:port, 0.0.0.0:port, [::1]:port, [::]:port or unix:///path.
function checkDefaultEndpoint(r: FieldReader, ep: string): void {
  if (ep === '' || ep.startsWith('unix:///') || ep.startsWith('unix://@')) return;
  const m = /^(127\.0\.0\.1|0\.0\.0\.0|\[::1\]|\[::\]|):(\d+)$/.exec(ep);
  const port = m === null ? 0 : Number(m[2]);
  if (m === null || port < 1 || port > 65_535) {
    r.error(
      'defaultEndpoint',
      `"${ep}" must be 127.0.0.1:<port>, 0.0.0.0:<port>, [::1]:<port>, [::]:<port> or unix://<path>`,
    );
  }
}

function readIngress(r: FieldReader): SidecarIngress {
  const p = r.requiredObject('port');
  const port = p === undefined ? { number: 0, protocol: '', name: '' } : readPort(p, false);
  const defaultEndpoint = r.string('defaultEndpoint') ?? '';
  checkDefaultEndpoint(r, defaultEndpoint);
  const out: SidecarIngress = {
    port,
    bind: bindField(r),
    captureMode: r.enumValue('captureMode', CAPTURE) ?? 'DEFAULT',
    defaultEndpoint,
  };
  r.finish({ unsupported: { tls: '', connectionPool: '' } });
  return out;
}

function checkEgressHost(r: FieldReader, h: string, i: number): void {
  const slash = h.indexOf('/');
  const ns = h.slice(0, slash);
  const host = h.slice(slash + 1);
  const nsOk = ns === '*' || ns === '.' || ns === '~' || isDns1123Label(ns);
  if (slash < 0 || !nsOk || !isWildcardDomain(host, true)) {
    r.error(
      'hosts',
      `invalid host "${h}" (entry ${i}): expected namespace/dnsName such as "./*" or "istio-system/*"`,
    );
  }
}

function readEgress(r: FieldReader, last: boolean): SidecarEgress {
  const p = r.object('port');
  const port = p === undefined ? null : readPort(p, true);
  if (port === null && !last) r.error(null, 'only the last egress listener may omit its port');
  const bind = bindField(r);
  const captureMode: CaptureMode = r.enumValue('captureMode', CAPTURE) ?? 'DEFAULT';
  if (port !== null && port.number === 0) {
    if (!bind.startsWith('unix://')) r.error('bind', 'a port 0 listener needs a unix:// bind address');
    if (captureMode === 'IPTABLES')
      r.error('captureMode', 'must be DEFAULT or NONE for unix socket listeners');
  }
  const hosts = r.strings('hosts');
  if (hosts.length === 0)
    r.error(r.has('hosts') ? 'hosts' : null, 'an egress listener needs at least one host');
  for (const [i, h] of hosts.entries()) checkEgressHost(r, h, i);
  r.finish();
  return { port, bind, captureMode, hosts };
}

/** The `spec` of a Sidecar. */
export function decodeSidecarSpec(r: FieldReader): SidecarSpec {
  const workloadSelector = workloadSelectorField(r, 'workloadSelector', 'labels');
  const ingress = r.objects('ingress').map(readIngress);
  const egressReaders = r.objects('egress');
  const egress = egressReaders.map((e, i) => readEgress(e, i === egressReaders.length - 1));
  for (const [list, what] of [
    [ingress.map((i) => i.port.number), 'ingress'],
    [egress.flatMap((e) => (e.port === null || e.port.number === 0 ? [] : [e.port.number])), 'egress'],
  ] as const) {
    const dup = list.find((n, i) => n !== 0 && list.indexOf(n) !== i);
    if (dup !== undefined) r.error(what, `port ${dup} is used by two ${what} listeners`);
  }
  let outboundTrafficPolicy: SidecarSpec['outboundTrafficPolicy'] = null;
  const otp = r.object('outboundTrafficPolicy');
  if (otp !== undefined) {
    outboundTrafficPolicy = {
      mode: otp.enumValue('mode', ['REGISTRY_ONLY', 'ALLOW_ANY'] as const) ?? 'REGISTRY_ONLY',
    };
    otp.finish({ unsupported: { egressProxy: '' } });
  }
  if (!r.has('ingress') && !r.has('egress') && otp === undefined && !r.has('inboundConnectionPool')) {
    r.error(null, 'a Sidecar needs ingress, egress or outboundTrafficPolicy');
  }
  r.finish({ unsupported: { inboundConnectionPool: '' } });
  return { workloadSelector, ingress, egress, outboundTrafficPolicy };
}
