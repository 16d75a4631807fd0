import type { OriginalDstConfig } from '../config/model.js';
import type { RouteLbContext } from './hash-policy.js';

/**
 * The pick context for an ORIGINAL_DST cluster: its destination header's value (`:authority`
 * reads the request's Host). Only requests to such clusters allocate it; hash policies do not
 * apply (the cluster provides its own balancer, as Envoy's CLUSTER_PROVIDED).
 */
export function originalDstContext(
  req: { header(name: string): string | undefined },
  cfg: OriginalDstConfig,
): RouteLbContext {
  const name = cfg.httpHeaderName;
  const value = name === null ? undefined : req.header(name);
  return {
    hash: null,
    excluded: null,
    setCookies: null,
    originalDstHost: value === undefined || value === '' ? null : value,
  };
}
