/** `route` (RouteAction), `redirect` and `direct_response`, with retry, hash and mirror policies. */
import type {
  ClusterTargetConfig,
  DirectResponseConfig,
  ForwardActionConfig,
  HashPolicyConfig,
  RedirectActionConfig,
  RedirectResponseCode,
  RequestMirrorPolicyConfig,
  RetryPolicyConfig,
  WeightedClusterConfig,
} from '../../model.js';
import { encodeTypedPerFilterConfig } from './filters.js';
import { duration, fields, flag, fractionalPercent, isWhole, type Json, nonEmpty, unless } from './format.js';
import { encodeHeaderMatchers, encodeHeaderMutations, encodeRegexRewrite } from './matchers.js';
import { TYPE } from './type-urls.js';

const NOT_FOUND_CODES: Readonly<Record<ForwardActionConfig['clusterNotFoundResponseCode'], string>> = {
  503: 'SERVICE_UNAVAILABLE',
  404: 'NOT_FOUND',
  500: 'INTERNAL_SERVER_ERROR',
};

const REDIRECT_CODES: Readonly<Record<RedirectResponseCode, string>> = {
  301: 'MOVED_PERMANENTLY',
  302: 'FOUND',
  303: 'SEE_OTHER',
  307: 'TEMPORARY_REDIRECT',
  308: 'PERMANENT_REDIRECT',
};

const PREVIOUS_HOSTS = 'envoy.retry_host_predicates.previous_hosts';

/** `config.route.v3.RouteAction`. */
export function encodeForwardAction(a: ForwardActionConfig): Json {
  return fields({
    ...encodeTarget(a.target),
    cluster_not_found_response_code: unless(
      NOT_FOUND_CODES[a.clusterNotFoundResponseCode],
      'SERVICE_UNAVAILABLE',
    ),
    prefix_rewrite: a.prefixRewrite ?? undefined,
    regex_rewrite: encodeRegexRewrite(a.regexRewrite),
    // host_rewrite_literal and auto_host_rewrite are one oneof; the decoder never sets both.
    host_rewrite_literal: a.autoHostRewrite ? undefined : (a.hostRewriteLiteral ?? undefined),
    auto_host_rewrite: flag(a.autoHostRewrite),
    timeout: duration(a.timeoutMs, 15_000),
    idle_timeout: duration(a.idleTimeoutMs),
    retry_policy: a.retryPolicy === null ? undefined : encodeRetryPolicy(a.retryPolicy),
    request_mirror_policies: a.requestMirrorPolicies?.map(encodeMirrorPolicy),
    hash_policy: a.hashPolicy?.map(encodeHashPolicy),
  });
}

function encodeTarget(t: ClusterTargetConfig): Json {
  switch (t.kind) {
    case 'cluster':
      return { cluster: t.name };
    case 'cluster_header':
      return { cluster_header: t.header };
    case 'weighted':
      return { weighted_clusters: { clusters: t.clusters.map(encodeWeightedCluster) } };
  }
}

function encodeWeightedCluster(c: WeightedClusterConfig): Json {
  return fields({
    name: c.name,
    weight: c.weight,
    ...encodeHeaderMutations(c.headers),
    host_rewrite_literal: c.hostRewriteLiteral ?? undefined,
    typed_per_filter_config: encodeTypedPerFilterConfig(c.typedPerFilterConfig),
  });
}

/** `RouteAction.RequestMirrorPolicy`; a 100 % fraction is the default and left out. */
export function encodeMirrorPolicy(m: RequestMirrorPolicyConfig): Json {
  return fields({
    cluster: m.cluster,
    runtime_fraction: isWhole(m.fraction) ? undefined : { default_value: fractionalPercent(m.fraction) },
    disable_shadow_host_suffix_append: flag(m.disableShadowHostSuffixAppend),
  });
}

/** `config.route.v3.RetryPolicy` (virtual host or route). */
export function encodeRetryPolicy(p: RetryPolicyConfig): Json {
  return fields({
    retry_on: p.retryOn.length === 0 ? undefined : p.retryOn.join(','),
    num_retries: p.numRetries,
    per_try_timeout: duration(p.perTryTimeoutMs),
    per_try_idle_timeout: duration(p.perTryIdleTimeoutMs),
    retry_host_predicate: p.previousHostsPredicate
      ? [{ name: PREVIOUS_HOSTS, typed_config: { '@type': TYPE.previousHosts } }]
      : undefined,
    host_selection_retry_max_attempts: unless(p.hostSelectionRetryMaxAttempts, 1),
    retriable_status_codes: nonEmpty(p.retriableStatusCodes),
    retry_back_off:
      p.backOff === null
        ? undefined
        : {
            base_interval: duration(p.backOff.baseIntervalMs),
            max_interval: duration(p.backOff.maxIntervalMs),
          },
    retriable_headers: encodeHeaderMatchers(p.retriableHeaders),
  });
}

/** One `RouteAction.HashPolicy`. */
export function encodeHashPolicy(h: HashPolicyConfig): Json {
  const terminal = flag(h.terminal);
  switch (h.kind) {
    case 'header':
      return fields({
        header: fields({ header_name: h.headerName, regex_rewrite: encodeRegexRewrite(h.regexRewrite) }),
        terminal,
      });
    case 'cookie':
      return fields({
        cookie: fields({
          name: h.name,
          // The model keeps whole seconds, as Envoy does.
          ttl: h.ttlSeconds === null ? undefined : `${h.ttlSeconds}s`,
          path: unless(h.path, ''),
          attributes: h.attributes.length === 0 ? undefined : h.attributes.map((a) => ({ ...a })),
        }),
        terminal,
      });
    case 'source_ip':
      return fields({ connection_properties: { source_ip: true }, terminal });
    case 'query_parameter':
      return fields({ query_parameter: { name: h.name }, terminal });
    case 'filter_state':
      return fields({ filter_state: { key: h.key }, terminal });
  }
}

/** `config.route.v3.RedirectAction`; `scheme_redirect` covers `https_redirect`. */
export function encodeRedirect(r: RedirectActionConfig): Json {
  return fields({
    scheme_redirect: r.schemeRedirect ?? undefined,
    host_redirect: r.hostRedirect ?? undefined,
    port_redirect: r.portRedirect ?? undefined,
    path_redirect: r.pathRedirect ?? undefined,
    prefix_rewrite: r.prefixRewrite ?? undefined,
    regex_rewrite: encodeRegexRewrite(r.regexRewrite),
    response_code: unless(REDIRECT_CODES[r.responseCode], 'MOVED_PERMANENTLY'),
    strip_query: flag(r.stripQuery),
  });
}

/** `config.route.v3.DirectResponseAction`. */
export function encodeDirectResponse(d: DirectResponseConfig): Json {
  return fields({ status: d.status, body: d.body === null ? undefined : { inline_string: d.body } });
}
