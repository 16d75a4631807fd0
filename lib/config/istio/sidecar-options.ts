/** How `skiff run` in sidecar mode lays out the proxy around one workload (Istio's ports by default). */
import type { AccessLogConfig } from '../model.js';
import { DEFAULT_WORKLOAD, type WorkloadInfo } from './workload.js';

/** Sidecar-mode settings that shape the translated listeners; the rest of the ports are Skiff options. */
export interface SidecarOptions {
  readonly workload: WorkloadInfo;
  /** Outbound listener (Istio's `virtualOutbound`), 15001; 0 = any free port; null = none. */
  readonly outboundPort: number | null;
  /** Inbound listener (`virtualInbound`), 15006; 0 = any free port; null = none. */
  readonly inboundPort: number | null;
  /** The app's port when no Sidecar `ingress` names one; null = none (then there is no inbound listener). */
  readonly appPort: number | null;
  /** Address the listeners bind, default 0.0.0.0 as Envoy's virtual listeners. */
  readonly bindAddress: string;
  /** The mesh's `outboundTrafficPolicy.mode` (a Sidecar may override it); Istio's default ALLOW_ANY. */
  readonly outboundTrafficPolicy: 'ALLOW_ANY' | 'REGISTRY_ONLY';
  /** meshConfig `accessLogFile`/`accessLogFormat`: the log every HCM writes; absent/null = off (Istio's default). */
  readonly accessLog?: AccessLogConfig | null;
}

export const DEFAULT_SIDECAR_OPTIONS: SidecarOptions = {
  workload: DEFAULT_WORKLOAD,
  outboundPort: 15001,
  inboundPort: 15006,
  appPort: null,
  bindAddress: '0.0.0.0',
  outboundTrafficPolicy: 'ALLOW_ANY',
};

/** Istio's well-known sidecar ports. */
export const SIDECAR_PORTS = {
  admin: 15000,
  outbound: 15001,
  inbound: 15006,
  health: 15021,
  stats: 15090,
} as const;
