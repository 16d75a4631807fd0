import type { FieldReader } from '../reader.js';

/**
 * Optional cluster sections, each decoded by its own file. Adding one (circuit breakers,
 * outlier detection, health checks, TLS) = write `cluster-<section>.ts` and swap its entry here.
 */
export interface ClusterSection {
  readonly field: string;
  /** Reads `r[field]` (present and not null) and reports its issues. */
  readonly decode: (r: FieldReader, field: string) => void;
}

function notYet(feature: string): ClusterSection['decode'] {
  return (r, field) => {
    r.skip(field);
    r.error(field, `${field} is not supported yet (coming with ${feature})`);
  };
}

export const CLUSTER_SECTIONS: readonly ClusterSection[] = [
  { field: 'outlier_detection', decode: notYet('resilience') },
  { field: 'health_checks', decode: notYet('resilience') },
  { field: 'transport_socket', decode: notYet('mTLS') },
  { field: 'transport_socket_matches', decode: notYet('mTLS') },
];
