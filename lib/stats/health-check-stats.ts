import type { Families } from './families.js';
import type { StatDef } from './stat-def.js';
import type { HealthCheckStats } from './types.js';

const L = ['envoy_cluster_name'] as const;

function c(name: string, help: string): StatDef {
  return { name: `envoy_cluster_health_check_${name}`, type: 'counter', help, labels: L };
}
function g(name: string, help: string): StatDef {
  return { name: `envoy_cluster_health_check_${name}`, type: 'gauge', help, labels: L };
}

/** `cluster.<name>.health_check.*` (Envoy's health checker stats), part of the cluster table. */
export const HEALTH_CHECK = {
  healthCheckAttempt: c('attempt', 'Active health checks started'),
  healthCheckSuccess: c('success', 'Active health checks that passed'),
  healthCheckFailure: c('failure', 'Health check failures (active, network and passive)'),
  healthCheckNetworkFailure: c('network_failure', 'Health checks that failed on the network or timed out'),
  healthCheckPassiveFailure: c(
    'passive_failure',
    'Hosts failed by a response carrying x-envoy-immediate-health-check-fail',
  ),
  healthCheckVerifyCluster: c('verify_cluster', 'HTTP health checks that verified the checked cluster name'),
  healthCheckHealthy: g('healthy', 'Health-checked hosts not failing their active health check'),
  healthCheckDegraded: g('degraded', 'Health-checked hosts reporting themselves degraded'),
} as const satisfies Record<string, StatDef>;

/** Binds one cluster's health checker cells. */
export function bindHealthCheckStats(f: Families, values: readonly string[]): HealthCheckStats {
  return {
    attempt: f.counter(HEALTH_CHECK.healthCheckAttempt, values),
    success: f.counter(HEALTH_CHECK.healthCheckSuccess, values),
    failure: f.counter(HEALTH_CHECK.healthCheckFailure, values),
    networkFailure: f.counter(HEALTH_CHECK.healthCheckNetworkFailure, values),
    passiveFailure: f.counter(HEALTH_CHECK.healthCheckPassiveFailure, values),
    verifyCluster: f.counter(HEALTH_CHECK.healthCheckVerifyCluster, values),
    healthy: f.gauge(HEALTH_CHECK.healthCheckHealthy, values),
    degraded: f.gauge(HEALTH_CHECK.healthCheckDegraded, values),
  };
}
