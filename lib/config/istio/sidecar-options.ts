/** How `skiff run` in sidecar mode lays out the proxy around one workload (Istio's ports by default). */
import { DEFAULT_WORKLOAD, type WorkloadInfo } from './workload.js';

/** Sidecar-mode settings that shape the translated listeners; the rest of the ports are Skiff options. */
export interface SidecarOptions {
  readonly workload: WorkloadInfo;
  /** Outbound listener (Istio's `virtualOutbound`), 15001; 0 = none. */
  readonly outboundPort: number;
  /** Inbound listener (`virtualInbound`), 15006; 0 = none. */
  readonly inboundPort: number;
  /** The app's port when no Sidecar `ingress` names one; null = none (inbound answers 503 NR... see translate). */
  readonly appPort: number | null;
  /** Address the listeners bind, default 0.0.0.0 as Envoy's virtual listeners. */
  readonly bindAddress: string;
}

export const DEFAULT_SIDECAR_OPTIONS: SidecarOptions = {
  workload: DEFAULT_WORKLOAD,
  outboundPort: 15001,
  inboundPort: 15006,
  appPort: null,
  bindAddress: '0.0.0.0',
};

/** Istio's well-known sidecar ports. */
export const SIDECAR_PORTS = {
  admin: 15000,
  outbound: 15001,
  inbound: 15006,
  health: 15021,
  stats: 15090,
} as const;
