import type {
  ClusterTargetConfig,
  DirectResponseConfig,
  ForwardActionConfig,
  RedirectActionConfig,
  RedirectResponseCode,
  WeightedClusterConfig,
} from '../model.js';
import type { FieldReader } from '../reader.js';
import { checkSubstitution } from '../regex.js';
import { rejectLegacyCors } from './cors.js';
import {
  CLUSTER_WEIGHT_RULES,
  DATA_SOURCE_RULES,
  DIRECT_RESPONSE_RULES,
  REDIRECT_RULES,
  REGEX_REWRITE_RULES,
  ROUTE_ACTION_RULES,
  WEIGHTED_CLUSTERS_RULES,
} from './field-rules.js';
import { readHashPolicies } from './hash-policy.js';
import { readHeaderMutations } from './header-mutations.js';
import { readRegexMatcher } from './matchers.js';
import { readTypedPerFilterConfig } from './per-filter-config.js';
import { readRequestMirrorPolicies } from './request-mirror.js';
import { readRetryPolicy } from './retry-policy.js';

/** A cluster named by a route, kept so the bootstrap can check it exists (`validate_clusters`). */
export interface ClusterRef {
  readonly name: string;
  readonly file: string;
  readonly path: string;
  /** Replaces the route_config `validate_clusters` hint when the reference is not a route's. */
  readonly hint?: string;
}

export type NotFoundCode = 503 | 404 | 500;
const NOT_FOUND_CODES: Readonly<Record<string, NotFoundCode>> = {
  SERVICE_UNAVAILABLE: 503,
  NOT_FOUND: 404,
  INTERNAL_SERVER_ERROR: 500,
};

/** Decoded `route` action plus what the route config aggregates from it. */
export interface ForwardResult {
  readonly action: ForwardActionConfig;
}

export function readForwardAction(r: FieldReader, refs: ClusterRef[]): ForwardResult | undefined {
  const which = r.oneOf(['cluster', 'cluster_header', 'weighted_clusters'], true);
  let target: ClusterTargetConfig | undefined;
  if (which === 'cluster') {
    const name = r.requiredString('cluster');
    if (name !== '') {
      target = { kind: 'cluster', name };
      refs.push({ name, file: r.sink.file, path: r.at('cluster') });
    }
  } else if (which === 'cluster_header') {
    const header = r.requiredString('cluster_header').toLowerCase();
    if (header !== '') target = { kind: 'cluster_header', header };
  } else if (which === 'weighted_clusters') {
    const wc = r.object('weighted_clusters');
    const clusters = wc === undefined ? undefined : readWeightedClusters(wc, refs);
    if (clusters !== undefined) target = { kind: 'weighted', clusters };
  }
  const code = r.enumValue('cluster_not_found_response_code', Object.keys(NOT_FOUND_CODES));
  const prefixRewrite = r.string('prefix_rewrite') ?? null;
  const regexRewrite = readRegexRewrite(r);
  if (prefixRewrite !== null && regexRewrite !== null) {
    r.error(null, 'only one of prefix_rewrite, regex_rewrite may be set');
  }
  const host = r.oneOf(['host_rewrite_literal', 'auto_host_rewrite'], false);
  const hostRewriteLiteral = r.string('host_rewrite_literal') ?? null;
  const autoHostRewrite = r.bool('auto_host_rewrite') ?? false;
  const timeoutMs = r.duration('timeout') ?? 15_000;
  const idleTimeoutMs = r.duration('idle_timeout') ?? null;
  const rp = r.object('retry_policy');
  const retryPolicy = rp === undefined ? null : readRetryPolicy(rp);
  const hashPolicy = readHashPolicies(r);
  const requestMirrorPolicies = readRequestMirrorPolicies(r, refs);
  rejectLegacyCors(r);
  r.finish(ROUTE_ACTION_RULES);
  if (target === undefined) return undefined;
  return {
    action: {
      kind: 'forward',
      target,
      prefixRewrite,
      regexRewrite,
      hostRewriteLiteral: host === 'auto_host_rewrite' ? null : hostRewriteLiteral,
      autoHostRewrite,
      timeoutMs,
      idleTimeoutMs,
      retryPolicy,
      clusterNotFoundResponseCode: code === undefined ? 503 : NOT_FOUND_CODES[code]!,
      ...(hashPolicy.length > 0 ? { hashPolicy } : {}),
      ...(requestMirrorPolicies.length > 0 ? { requestMirrorPolicies } : {}),
    },
  };
}

function readWeightedClusters(wc: FieldReader, refs: ClusterRef[]): WeightedClusterConfig[] | undefined {
  const out: WeightedClusterConfig[] = [];
  const entries = wc.objects('clusters');
  if (entries.length === 0) wc.error(null, 'weighted_clusters.clusters must have at least one entry');
  for (const c of entries) {
    const name = c.requiredString('name');
    if (name !== '') refs.push({ name, file: c.sink.file, path: c.at('name') });
    const weight = c.int('weight') ?? 0;
    const headers = readHeaderMutations(c);
    const hostRewriteLiteral = c.string('host_rewrite_literal') ?? null;
    const typedPerFilterConfig = readTypedPerFilterConfig(c);
    c.finish(CLUSTER_WEIGHT_RULES);
    const entry: WeightedClusterConfig = { name, weight, headers, hostRewriteLiteral };
    out.push(typedPerFilterConfig === undefined ? entry : { ...entry, typedPerFilterConfig });
  }
  const sum = out.reduce((s, c) => s + c.weight, 0);
  const total = wc.int('total_weight');
  wc.skip('runtime_key_prefix');
  wc.finish(WEIGHTED_CLUSTERS_RULES);
  if (entries.length > 0 && sum === 0)
    wc.error('clusters', 'the sum of the cluster weights must be greater than 0');
  if (sum > 4_294_967_295) wc.error('clusters', 'the sum of the cluster weights must fit in 32 bits');
  if (total !== undefined && total !== sum) {
    wc.error('total_weight', `total_weight ${total} does not match the sum of the cluster weights (${sum})`);
  }
  return out.length === entries.length && entries.length > 0 ? out : undefined;
}

export function readRegexRewrite(r: FieldReader): { regex: string; substitution: string } | null {
  const rr = r.object('regex_rewrite');
  if (rr === undefined) return null;
  const pattern = rr.requiredObject('pattern');
  const regex = pattern === undefined ? '' : readRegexMatcher(pattern);
  const substitution = rr.string('substitution') ?? '';
  rr.finish(REGEX_REWRITE_RULES);
  const bad = regex === '' ? null : checkSubstitution(regex, substitution);
  if (bad !== null) rr.error('substitution', bad);
  return { regex, substitution };
}

const REDIRECT_CODES: Readonly<Record<string, RedirectResponseCode>> = {
  MOVED_PERMANENTLY: 301,
  FOUND: 302,
  SEE_OTHER: 303,
  TEMPORARY_REDIRECT: 307,
  PERMANENT_REDIRECT: 308,
};

export function readRedirectAction(r: FieldReader): RedirectActionConfig {
  const scheme = r.oneOf(['https_redirect', 'scheme_redirect'], false);
  const https = r.bool('https_redirect') ?? false;
  const schemeRedirect = r.string('scheme_redirect')?.toLowerCase() ?? null;
  const hostRedirect = r.string('host_redirect') ?? null;
  const port = r.int('port_redirect', 0, 65535);
  r.oneOf(['path_redirect', 'prefix_rewrite', 'regex_rewrite'], false);
  const pathRedirect = r.string('path_redirect') ?? null;
  const prefixRewrite = r.string('prefix_rewrite') ?? null;
  const regexRewrite = readRegexRewrite(r);
  const code = r.enumValue('response_code', Object.keys(REDIRECT_CODES)) ?? 'MOVED_PERMANENTLY';
  const stripQuery = r.bool('strip_query') ?? false;
  r.finish(REDIRECT_RULES);
  return {
    kind: 'redirect',
    schemeRedirect: scheme === 'https_redirect' ? (https ? 'https' : null) : schemeRedirect,
    hostRedirect,
    portRedirect: port === undefined || port === 0 ? null : port,
    pathRedirect,
    prefixRewrite,
    regexRewrite,
    responseCode: REDIRECT_CODES[code]!,
    stripQuery,
  };
}

export function readDirectResponse(r: FieldReader, maxBodyBytes: number): DirectResponseConfig {
  const status = r.int('status', 200, 599);
  if (!r.has('status')) r.error(null, 'missing required field "status"');
  let body: string | null = null;
  const b = r.object('body');
  if (b !== undefined) {
    const which = b.oneOf(['inline_string', 'inline_bytes', 'filename', 'environment_variable'], true);
    if (which === 'inline_string') body = b.string('inline_string') ?? null;
    else if (which === 'inline_bytes') {
      const raw = b.string('inline_bytes');
      if (raw !== undefined && !/^[A-Za-z0-9+/_-]*={0,2}$/.test(raw))
        b.error('inline_bytes', 'expected base64');
      else if (raw !== undefined) body = Buffer.from(raw, 'base64').toString('utf8');
    }
    b.finish(DATA_SOURCE_RULES);
    if (body !== null && Buffer.byteLength(body) > maxBodyBytes) {
      b.error(
        null,
        `response body is ${Buffer.byteLength(body)} bytes; the maximum is ${maxBodyBytes} (max_direct_response_body_size_bytes)`,
      );
    }
  }
  r.finish(DIRECT_RESPONSE_RULES);
  return { kind: 'direct_response', status: status ?? 200, body };
}
