/**
 * Filter chains that terminate TLS with the workload certificate cannot run without one. A
 * listener that still has a plaintext chain (Istio PERMISSIVE) serves that alone, since it
 * accepted plaintext anyway; one left with nothing (STRICT) is a start error naming the fix.
 */
import type { ListenerConfig } from '../config/model.js';
import { SkiffError } from '../errors.js';
import { usesWorkloadIdentity } from '../listener/tls-context-source.js';

/** The listener to serve and how many chains were dropped; throws when none would be left. */
export function servableChains(
  cfg: ListenerConfig,
  haveWorkloadCert: boolean,
): { listener: ListenerConfig; dropped: number } {
  if (haveWorkloadCert) return { listener: cfg, dropped: 0 };
  const kept = cfg.filterChains.filter((c) => c.tls === undefined || !usesWorkloadIdentity(c.tls));
  const dropped = cfg.filterChains.length - kept.length;
  if (dropped === 0) return { listener: cfg, dropped };
  if (kept.length === 0) {
    throw new SkiffError(
      'SKIFF_ERR_CONFIG',
      `listener ${cfg.name} requires mTLS with the workload certificate, but none is configured: start Skiff with --cert-dir (mounted certificates) or --ca-dir (issue its own)`,
    );
  }
  return { listener: { ...cfg, filterChains: kept }, dropped };
}
