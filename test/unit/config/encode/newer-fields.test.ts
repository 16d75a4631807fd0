/**
 * Model fields whose decoders land in other branches (request mirroring, CORS, ORIGINAL_DST): the
 * encoder's Envoy spelling is checked here; their round-trip tests come with the decoders.
 */
import t from 'tap';
import { encodeCluster } from '../../../../lib/config/envoy/encode/cluster.js';
import { encodeHttpFilter, encodeTypedPerFilterConfig } from '../../../../lib/config/envoy/encode/filters.js';
import { encodeForwardAction } from '../../../../lib/config/envoy/encode/route-action.js';
import { TYPE } from '../../../../lib/config/envoy/encode/type-urls.js';
import type { CorsPolicyConfig, ForwardActionConfig } from '../../../../lib/config/model.js';
import { CLUSTERS } from './rich-model.js';

const FORWARD: ForwardActionConfig = {
  kind: 'forward',
  target: { kind: 'cluster', name: 'web' },
  prefixRewrite: null,
  regexRewrite: null,
  hostRewriteLiteral: null,
  autoHostRewrite: false,
  timeoutMs: 15_000,
  idleTimeoutMs: null,
  retryPolicy: null,
  clusterNotFoundResponseCode: 503,
};

t.test('request_mirror_policies', async (t) => {
  const out = encodeForwardAction({
    ...FORWARD,
    requestMirrorPolicies: [
      {
        cluster: 'shadow',
        fraction: { numerator: 100, denominator: 100 },
        disableShadowHostSuffixAppend: false,
      },
      {
        cluster: 'sample',
        fraction: { numerator: 25, denominator: 10_000 },
        disableShadowHostSuffixAppend: true,
      },
    ],
  });
  t.strictSame(out['request_mirror_policies'], [
    { cluster: 'shadow' },
    {
      cluster: 'sample',
      runtime_fraction: { default_value: { numerator: 25, denominator: 'TEN_THOUSAND' } },
      disable_shadow_host_suffix_append: true,
    },
  ]);
  t.notOk('request_mirror_policies' in encodeForwardAction(FORWARD), 'absent when the route has none');
});

const POLICY: CorsPolicyConfig = {
  allowOrigins: [
    { kind: 'exact', value: 'https://a.example', ignoreCase: false },
    { kind: 'safe_regex', regex: 'https://.*\\.example', ignoreCase: false },
  ],
  allowMethods: 'GET,POST',
  allowHeaders: 'x-a',
  exposeHeaders: 'x-b',
  maxAge: '600',
  allowCredentials: true,
  allowPrivateNetworkAccess: false,
  forwardNotMatchingPreflights: false,
  filterEnabled: { numerator: 50, denominator: 100 },
  shadowEnabled: { numerator: 1, denominator: 1_000_000 },
};

t.test('the cors filter and its per-route CorsPolicy', async (t) => {
  t.strictSame(encodeHttpFilter({ kind: 'cors', name: 'envoy.filters.http.cors' }), {
    name: 'envoy.filters.http.cors',
    typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.cors.v3.Cors' },
  });
  const per = encodeTypedPerFilterConfig({ 'envoy.filters.http.cors': { kind: 'cors', policy: POLICY } });
  t.strictSame(per, {
    'envoy.filters.http.cors': {
      '@type': 'type.googleapis.com/envoy.extensions.filters.http.cors.v3.CorsPolicy',
      allow_origin_string_match: [
        { exact: 'https://a.example' },
        { safe_regex: { regex: 'https://.*\\.example' } },
      ],
      allow_methods: 'GET,POST',
      allow_headers: 'x-a',
      expose_headers: 'x-b',
      max_age: '600',
      allow_credentials: true,
      allow_private_network_access: false,
      forward_not_matching_preflights: false,
      filter_enabled: { default_value: { numerator: 50, denominator: 'HUNDRED' } },
      shadow_enabled: { default_value: { numerator: 1, denominator: 'MILLION' } },
    },
  });
  const minimal = encodeTypedPerFilterConfig({
    cors: {
      kind: 'cors',
      policy: {
        ...POLICY,
        allowOrigins: [],
        allowMethods: '',
        allowHeaders: '',
        exposeHeaders: '',
        maxAge: '',
        allowCredentials: null,
        allowPrivateNetworkAccess: null,
        forwardNotMatchingPreflights: true,
        filterEnabled: { numerator: 100, denominator: 100 },
        shadowEnabled: null,
      },
    },
  });
  t.strictSame(minimal, { cors: { '@type': TYPE.corsPolicy } }, 'defaults are left out');
});

t.test('ORIGINAL_DST clusters', async (t) => {
  const base = CLUSTERS.find((c) => c.name === 'ring')!;
  const byHeader = encodeCluster({
    ...base,
    name: 'passthrough',
    type: 'ORIGINAL_DST',
    originalDst: {
      httpHeaderName: ':authority',
      defaultPort: 8080,
      upstreamPortOverride: 8080,
      cleanupIntervalMs: 60_000,
    },
  });
  t.equal(byHeader['type'], 'ORIGINAL_DST');
  t.equal(byHeader['lb_policy'], 'CLUSTER_PROVIDED');
  t.equal(byHeader['cleanup_interval'], '60s');
  t.strictSame(byHeader['original_dst_lb_config'], {
    use_http_header: true,
    http_header_name: ':authority',
    upstream_port_override: 8080,
  });
  t.notOk('load_assignment' in byHeader, 'hosts come from the requests');
  t.notOk('ring_hash_lb_config' in byHeader, 'original_dst_lb_config takes the lb_config oneof');

  const defaults = encodeCluster({
    ...base,
    type: 'ORIGINAL_DST',
    originalDst: {
      httpHeaderName: 'x-envoy-original-dst-host',
      defaultPort: 80,
      upstreamPortOverride: null,
      cleanupIntervalMs: 5000,
    },
  });
  t.strictSame(defaults['original_dst_lb_config'], { use_http_header: true });
  t.notOk('cleanup_interval' in defaults);

  const byConnection = encodeCluster({
    ...base,
    type: 'ORIGINAL_DST',
    originalDst: {
      httpHeaderName: null,
      defaultPort: 80,
      upstreamPortOverride: null,
      cleanupIntervalMs: 5000,
    },
  });
  t.notOk('original_dst_lb_config' in byConnection, 'the connection destination is the default');
});
