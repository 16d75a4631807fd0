/** `PeerAuthentication` spec: the mTLS mode a workload accepts, per port if needed. */
import type { FieldReader } from '../reader.js';
import { workloadSelectorField } from './istio-common.js';
import type { MtlsMode, PeerAuthenticationSpec } from './model.js';

const MODES = ['UNSET', 'DISABLE', 'PERMISSIVE', 'STRICT'] as const;

function readMtls(r: FieldReader): MtlsMode {
  const mode = r.enumValue('mode', MODES) ?? 'UNSET';
  r.finish();
  return mode;
}

/** The `spec` of a PeerAuthentication. */
export function decodePeerAuthenticationSpec(r: FieldReader): PeerAuthenticationSpec {
  const selector = workloadSelectorField(r, 'selector', 'matchLabels');
  const m = r.object('mtls');
  const mtls = m === undefined ? null : { mode: readMtls(m) };
  const portLevelMtls: Record<number, MtlsMode> = {};
  const ports = r.map('portLevelMtls');
  if (ports !== undefined) {
    const keys = ports.names();
    if (keys.length === 0) r.error('portLevelMtls', 'if set, it needs at least one port');
    if (keys.length > 0 && (selector === null || Object.keys(selector.labels).length === 0)) {
      r.error('portLevelMtls', 'mesh- and namespace-wide policies (no selector) cannot set port-level mTLS');
    }
    for (const key of keys) {
      const port = /^\d+$/.test(key) ? Number(key) : 0;
      if (port < 1 || port > 65_535) ports.error(key, `"${key}" is not a port in the range 1–65535`);
      const e = ports.object(key);
      const mode = e === undefined ? 'UNSET' : readMtls(e);
      if (port >= 1 && port <= 65_535) portLevelMtls[port] = mode;
    }
  }
  r.finish();
  return { selector, mtls, portLevelMtls };
}
