import type { FieldReader } from '../reader.js';

/**
 * Optional cluster sections, each decoded by its own file. Adding one (circuit breakers,
 * outlier detection, health checks, TLS) = write `cluster-<section>.ts` and swap its entry here.
 * A section whose decoded value lands in ClusterConfig is read by readCluster instead, since
 * `decode` returns nothing: `outlier_detection` (cluster-outlier-detection.ts).
 */
export interface ClusterSection {
  readonly field: string;
  /** Reads `r[field]` (present and not null) and reports its issues. */
  readonly decode: (r: FieldReader, field: string) => void;
}

export function notYet(feature: string): ClusterSection['decode'] {
  return (r, field) => {
    r.skip(field);
    r.error(field, `${field} is not supported yet (coming with ${feature})`);
  };
}

export const CLUSTER_SECTIONS: readonly ClusterSection[] = [
  // circuit_breakers and health_checks: decoded by readCluster, since they yield model values.
  // transport_socket and transport_socket_matches: decoded by readCluster (cluster-tls.ts).
];
