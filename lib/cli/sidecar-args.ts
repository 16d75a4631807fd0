/**
 * Sidecar-mode flags: the workload a pod would describe (flags, else the environment variables
 * Istio's injector sets) and the listener ports (Istio's by default, `0` turns one off).
 */
import {
  DEFAULT_SIDECAR_OPTIONS,
  SIDECAR_PORTS,
  type SidecarOptions,
} from '../config/istio/sidecar-options.js';
import { DEFAULT_WORKLOAD, type WorkloadInfo } from '../config/istio/workload.js';
import { accessLogFrom } from './access-log-args.js';
import { parsePort, usage } from './args.js';

/** The extra `parseArgs` options of `run`/`validate`/`translate` in sidecar mode. */
export const SIDECAR_FLAGS = {
  namespace: { type: 'string' },
  'service-account': { type: 'string' },
  'workload-name': { type: 'string' },
  labels: { type: 'string' },
  'trust-domain': { type: 'string' },
  'outbound-port': { type: 'string' },
  'inbound-port': { type: 'string' },
  'app-port': { type: 'string' },
  'outbound-traffic-policy': { type: 'string' },
  'bind-address': { type: 'string' },
  'access-log': { type: 'string' },
  'access-log-format': { type: 'string' },
} as const satisfies Record<string, { type: 'string' }>;

type Values = Readonly<Record<string, string | undefined>>;
type Env = Readonly<Record<string, string | undefined>>;

/** `k=v,k2=v2` → labels. */
export function parseLabels(raw: string, flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of raw.split(',')) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    if (eq <= 0) usage(`${flag}: "${part}" is not key=value`);
    out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}

function labelsFromEnv(raw: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    usage('ISTIO_METAJSON_LABELS: not valid JSON');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    usage('ISTIO_METAJSON_LABELS: expected a JSON object of labels');
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
    if (typeof v !== 'string') usage(`ISTIO_METAJSON_LABELS: label "${k}" is not a string`);
    out[k] = v;
  }
  return out;
}

/** The workload from flags, else Istio's environment variables, else defaults. */
export function workloadFrom(values: Values, env: Env): WorkloadInfo {
  const labels =
    values.labels !== undefined
      ? parseLabels(values.labels, '--labels')
      : env.ISTIO_METAJSON_LABELS !== undefined && env.ISTIO_METAJSON_LABELS !== ''
        ? labelsFromEnv(env.ISTIO_METAJSON_LABELS)
        : {};
  return {
    namespace: values.namespace ?? env.POD_NAMESPACE ?? DEFAULT_WORKLOAD.namespace,
    serviceAccount: values['service-account'] ?? env.SERVICE_ACCOUNT ?? DEFAULT_WORKLOAD.serviceAccount,
    name: values['workload-name'] ?? env.ISTIO_META_WORKLOAD_NAME ?? env.POD_NAME ?? '',
    labels,
    trustDomain: values['trust-domain'] ?? env.TRUST_DOMAIN ?? DEFAULT_WORKLOAD.trustDomain,
  };
}

/** A port flag: its default when absent, null when `0` (off). */
export function portFlag<D extends number | null | undefined>(
  values: Values,
  flag: string,
  dflt: D,
): number | null | D {
  const raw = values[flag];
  if (raw === undefined) return dflt;
  const port = parsePort(raw);
  if (port === null) usage(`--${flag}: "${raw}" is not a port number (0-65535)`);
  return port === 0 ? null : port;
}

/** Everything the Istio translation needs from the command line. */
export function sidecarOptionsFrom(values: Values, env: Env): SidecarOptions {
  const policy = values['outbound-traffic-policy'] ?? DEFAULT_SIDECAR_OPTIONS.outboundTrafficPolicy;
  if (policy !== 'ALLOW_ANY' && policy !== 'REGISTRY_ONLY') {
    usage(`--outbound-traffic-policy: "${policy}" is not ALLOW_ANY or REGISTRY_ONLY`);
  }
  return {
    workload: workloadFrom(values, env),
    outboundPort: portFlag(values, 'outbound-port', SIDECAR_PORTS.outbound),
    inboundPort: portFlag(values, 'inbound-port', SIDECAR_PORTS.inbound),
    appPort: portFlag(values, 'app-port', null),
    bindAddress: values['bind-address'] ?? DEFAULT_SIDECAR_OPTIONS.bindAddress,
    outboundTrafficPolicy: policy,
    accessLog: accessLogFrom(values),
  };
}
