import type { RouteConfig, RouteConfiguration, VirtualHostConfig } from '../model.js';
import { addIssue, type FieldReader } from '../reader.js';
import { rejectLegacyCors } from './cors.js';
import { ROUTE_CONFIGURATION_RULES, VIRTUAL_HOST_RULES } from './field-rules.js';
import { readHeaderMutations } from './header-mutations.js';
import { readTypedPerFilterConfig } from './per-filter-config.js';
import { readRetryPolicy } from './retry-policy.js';
import { readRoute } from './route.js';
import type { ClusterRef } from './route-action.js';

/**
 * Decodes an inline `RouteConfiguration`. Cluster names used by its routes are pushed to `refs`
 * only when `validate_clusters` is on (Envoy's default for an inline route config).
 */
export function readRouteConfiguration(r: FieldReader, refs: ClusterRef[]): RouteConfiguration {
  const name = r.string('name') ?? '';
  const validate = r.bool('validate_clusters') ?? true;
  const maxBody = r.int('max_direct_response_body_size_bytes') ?? 4096;
  const local: ClusterRef[] = [];
  const virtualHosts: VirtualHostConfig[] = [];
  const seenDomains = new Map<string, string>();
  const seenNames = new Set<string>();
  for (const v of r.objects('virtual_hosts')) {
    const vh = readVirtualHost(v, local, maxBody, seenDomains);
    if (vh === undefined) continue;
    if (seenNames.has(vh.name)) v.error('name', `duplicate virtual host name "${vh.name}"`);
    seenNames.add(vh.name);
    virtualHosts.push(vh);
  }
  const headers = readHeaderMutations(r);
  const ignorePortInHostMatching = r.bool('ignore_port_in_host_matching') ?? false;
  const typedPerFilterConfig = readTypedPerFilterConfig(r);
  r.finish(ROUTE_CONFIGURATION_RULES);
  if (validate) refs.push(...local);
  const out: RouteConfiguration = { name, virtualHosts, headers, ignorePortInHostMatching };
  return typedPerFilterConfig === undefined ? out : { ...out, typedPerFilterConfig };
}

function readVirtualHost(
  r: FieldReader,
  refs: ClusterRef[],
  maxBody: number,
  seenDomains: Map<string, string>,
): VirtualHostConfig | undefined {
  const name = r.requiredString('name');
  if (!r.has('domains')) r.error(null, 'missing required field "domains"');
  const domains: string[] = [];
  const list = r.list('domains');
  if (r.has('domains') && list.length === 0) r.error('domains', 'must list at least one domain');
  for (const e of list) {
    if (typeof e.value !== 'string' || e.value === '') {
      addIssue(r.sink, e.path, 'expected a non-empty domain');
      continue;
    }
    const domain = e.value.toLowerCase();
    const reason = checkDomain(domain);
    if (reason !== null) {
      addIssue(r.sink, e.path, reason);
      continue;
    }
    const other = seenDomains.get(domain);
    if (other !== undefined) {
      addIssue(
        r.sink,
        e.path,
        `domain "${domain}" is already used by virtual host "${other}"; domains must be unique`,
      );
    }
    seenDomains.set(domain, name);
    domains.push(domain);
  }
  const routes: RouteConfig[] = [];
  for (const rt of r.objects('routes')) {
    const res = readRoute(rt, refs, maxBody);
    if (res === undefined) continue;
    routes.push(res);
  }
  const headers = readHeaderMutations(r);
  const rp = r.object('retry_policy');
  const retryPolicy = rp === undefined ? null : readRetryPolicy(rp);
  const includeRequestAttemptCount = r.bool('include_request_attempt_count') ?? false;
  const includeAttemptCountInResponse = r.bool('include_attempt_count_in_response') ?? false;
  const perRequestBufferLimitBytes = r.int('per_request_buffer_limit_bytes', 0) ?? null;
  const typedPerFilterConfig = readTypedPerFilterConfig(r);
  rejectLegacyCors(r);
  r.finish(VIRTUAL_HOST_RULES);
  if (name === '') return undefined;
  const out: VirtualHostConfig = {
    name,
    domains,
    routes,
    headers,
    retryPolicy,
    includeRequestAttemptCount,
    includeAttemptCountInResponse,
    perRequestBufferLimitBytes,
  };
  return typedPerFilterConfig === undefined ? out : { ...out, typedPerFilterConfig };
}

// Envoy allows one wildcard per domain, and only as its first or last character.
function checkDomain(d: string): string | null {
  const stars = d.split('*').length - 1;
  if (stars === 0 || d === '*') return null;
  if (stars > 1) return `domain "${d}" has more than one wildcard`;
  if (!d.startsWith('*') && !d.endsWith('*'))
    return `domain "${d}": a wildcard is only allowed as the first or last character`;
  return null;
}
