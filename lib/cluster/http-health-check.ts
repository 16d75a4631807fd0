import { Agent, type ClientRequest, type IncomingHttpHeaders, request } from 'node:http';
import type { HttpHealthCheckConfig, StatusRange } from '../config/model.js';
import { StringMatcher } from '../router/string-matcher.js';
import type { HealthCheckStats } from '../stats/types.js';
import { CheckResult, type HealthCheckProbe, type ProbeFactory } from './health-check-probe.js';
import type { Host } from './types.js';

type OutgoingHeaders = Record<string, string | string[]>;

/** What every HTTP probe of one cluster shares, built once from the config. */
interface HttpCheckPlan {
  readonly method: string;
  readonly path: string;
  readonly headers: OutgoingHeaders;
  readonly expected: readonly StatusRange[];
  readonly retriable: readonly StatusRange[];
  readonly matcher: StringMatcher | null;
  readonly reuse: boolean;
  readonly stats: HealthCheckStats;
}

/** HTTP/1.1 checks: `method path` with `host` (default: the cluster name) and `user-agent: Envoy/HC`. */
export function httpProbeFactory(
  cfg: HttpHealthCheckConfig,
  reuse: boolean,
  clusterName: string,
  stats: HealthCheckStats,
): ProbeFactory {
  const plan: HttpCheckPlan = {
    method: cfg.method,
    path: cfg.path,
    headers: checkHeaders(cfg, clusterName),
    expected: cfg.expectedStatuses,
    retriable: cfg.retriableStatuses,
    matcher:
      cfg.serviceNameMatcher === null
        ? null
        : new StringMatcher(cfg.serviceNameMatcher, 'http_health_check.service_name_matcher'),
    reuse,
    stats,
  };
  return (host) => new HttpProbe(host, plan);
}

/** Envoy's header parser removes before it adds; `host` can be neither added nor removed. */
export function checkHeaders(cfg: HttpHealthCheckConfig, clusterName: string): OutgoingHeaders {
  const h: OutgoingHeaders = { 'user-agent': 'Envoy/HC' };
  for (const name of cfg.requestHeadersToRemove) delete h[name];
  for (const o of cfg.requestHeadersToAdd) {
    if (o.value === '' && !o.keepEmptyValue) continue;
    const cur = h[o.key];
    switch (o.appendAction) {
      case 'APPEND_IF_EXISTS_OR_ADD':
        h[o.key] = cur === undefined ? o.value : [...(Array.isArray(cur) ? cur : [cur]), o.value];
        break;
      case 'ADD_IF_ABSENT':
        if (cur === undefined) h[o.key] = o.value;
        break;
      case 'OVERWRITE_IF_EXISTS_OR_ADD':
        h[o.key] = o.value;
        break;
      case 'OVERWRITE_IF_EXISTS':
        if (cur !== undefined) h[o.key] = o.value;
        break;
    }
  }
  h.host = cfg.host ?? clusterName;
  return h;
}

function inRanges(status: number, ranges: readonly StatusRange[]): boolean {
  for (const r of ranges) if (status >= r.start && status < r.end) return true;
  return false;
}

/** Classifies a complete response the way Envoy's HTTP health checker does. */
export function classifyResponse(
  status: number,
  headers: IncomingHttpHeaders,
  plan: Pick<HttpCheckPlan, 'expected' | 'retriable' | 'matcher' | 'stats'>,
): CheckResult {
  // Set by a peer whose health-check filter was told to fail (`/healthcheck/fail`).
  if (headers['x-envoy-immediate-health-check-fail'] !== undefined) return CheckResult.Failed;
  if (!inRanges(status, plan.expected)) {
    return inRanges(status, plan.retriable) ? CheckResult.Retriable : CheckResult.Failed;
  }
  if (plan.matcher !== null) {
    plan.stats.verifyCluster.inc();
    const v = headers['x-envoy-upstream-healthchecked-cluster'];
    if (!plan.matcher.match(typeof v === 'string' ? v : '')) return CheckResult.Failed;
  }
  return headers['x-envoy-degraded'] !== undefined ? CheckResult.Degraded : CheckResult.Success;
}

/**
 * One host's HTTP probe over node:http. With `reuse_connection` a private keep-alive agent holds
 * at most one socket between checks; without it each check has its own connection.
 */
class HttpProbe implements HealthCheckProbe {
  private readonly host: Host;
  private readonly plan: HttpCheckPlan;
  private readonly agent: Agent | null;
  private req: ClientRequest | null = null;
  /** Bumped by every start/abort, so a stale request can never report. */
  private token = 0;

  constructor(host: Host, plan: HttpCheckPlan) {
    this.host = host;
    this.plan = plan;
    this.agent = plan.reuse ? new Agent({ keepAlive: true, maxSockets: 1, maxFreeSockets: 1 }) : null;
  }

  start(done: (result: CheckResult) => void): void {
    const token = ++this.token;
    const finish = (result: CheckResult): void => {
      if (token !== this.token) return;
      this.token++;
      this.req = null;
      done(result);
    };
    const req = request({
      hostname: this.host.address,
      port: this.host.port,
      method: this.plan.method,
      path: this.plan.path,
      headers: this.plan.headers,
      agent: this.agent ?? false,
      setHost: false,
    });
    this.req = req;
    req.on('response', (res) => {
      const result = classifyResponse(res.statusCode ?? 0, res.headers, this.plan);
      res.on('error', () => {});
      res.on('end', () => finish(result));
      // Without 'end' first, the answer was cut short.
      res.on('close', () => finish(CheckResult.NetworkFailure));
      res.resume();
    });
    req.on('error', () => finish(CheckResult.NetworkFailure));
    req.end();
  }

  abort(): void {
    this.token++;
    const req = this.req;
    this.req = null;
    req?.destroy();
  }

  close(): void {
    this.abort();
    this.agent?.destroy();
  }
}
