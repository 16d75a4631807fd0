import t from 'tap';
import { formatIssue } from '../../../lib/config/errors.js';
import { loadConfigText } from '../../../lib/config/load.js';
import type { Bootstrap, TcpProxyConfig } from '../../../lib/config/model.js';
import { HCM_TYPE, minimal } from './fixtures.js';

const TCP_TYPE = 'type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy';
const TC = 'static_resources.listeners[0].filter_chains[0].filters[0].typed_config';
const P = `tcp.yaml: ${TC}`;

/** A listener (port 0) whose chain is a tcp_proxy with `body` (YAML lines at typed_config depth), clusters `a` and `b`. */
function withTcp(body: string, filterName = 'envoy.filters.network.tcp_proxy'): string {
  const lines = body
    .trim()
    .split('\n')
    .map((l) => `          ${l}`)
    .join('\n');
  return `
static_resources:
  listeners:
  - name: tcp
    address: {socket_address: {address: 127.0.0.1, port_value: 0}}
    filter_chains:
    - filters:
      - name: ${filterName}
        typed_config:
          "@type": ${TCP_TYPE}
${lines}
  clusters:
  - name: a
    load_assignment:
      endpoints:
      - lb_endpoints:
        - endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: 8080}}}
  - name: b
    load_assignment:
      endpoints:
      - lb_endpoints:
        - endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: 8081}}}
`;
}

function load(text: string): Bootstrap {
  const r = loadConfigText(text, 'tcp.yaml');
  if (!r.ok) throw new Error(r.issues.map(formatIssue).join('\n'));
  return r.bootstrap;
}

function issues(text: string): string[] {
  const r = loadConfigText(text, 'tcp.yaml');
  return r.ok ? [] : r.issues.map(formatIssue);
}

function tcpProxy(b: Bootstrap): TcpProxyConfig {
  const chain = b.listeners[0]?.filterChains[0];
  if (chain?.tcpProxy === undefined) throw new Error('not a tcp_proxy chain');
  return chain.tcpProxy;
}

t.test('a single cluster with Envoy defaults', async (t) => {
  const b = load(withTcp('stat_prefix: db\ncluster: a'));
  t.equal(b.listeners[0]?.filterChains[0]?.hcm, undefined);
  t.strictSame(tcpProxy(b), {
    statPrefix: 'db',
    clusters: [{ name: 'a', weight: 1 }],
    idleTimeoutMs: 3_600_000,
    maxConnectAttempts: 1,
    maxDownstreamConnectionDurationMs: 0,
    accessLog: [],
  });
});

t.test('every field', async (t) => {
  const b = load(
    withTcp(`
statPrefix: db
weighted_clusters:
  clusters: [{name: a, weight: 3}, {name: b, weight: 1}]
idle_timeout: 0s
max_connect_attempts: "3"
max_downstream_connection_duration: 2.5s
access_log:
- name: envoy.access_loggers.stdout
  typed_config:
    "@type": type.googleapis.com/envoy.extensions.access_loggers.stream.v3.StdoutAccessLog
    log_format: {text_format: "%UPSTREAM_CLUSTER% %BYTES_SENT%\\n"}`),
  );
  t.strictSame(tcpProxy(b), {
    statPrefix: 'db',
    clusters: [
      { name: 'a', weight: 3 },
      { name: 'b', weight: 1 },
    ],
    idleTimeoutMs: 0,
    maxConnectAttempts: 3,
    maxDownstreamConnectionDurationMs: 2500,
    accessLog: [
      {
        name: 'envoy.access_loggers.stdout',
        path: '/dev/stdout',
        textFormat: '%UPSTREAM_CLUSTER% %BYTES_SENT%\n',
        jsonFormat: null,
      },
    ],
  });
});

t.test('the legacy filter name and a TypedStruct wrapper decode too', async (t) => {
  const text = withTcp('stat_prefix: db\ncluster: a', 'envoy.tcp_proxy').replace(
    `"@type": ${TCP_TYPE}\n          stat_prefix: db\n          cluster: a`,
    `"@type": type.googleapis.com/udpa.type.v1.TypedStruct\n          type_url: ${TCP_TYPE}\n          value: {stat_prefix: db, cluster: a}`,
  );
  t.strictSame(tcpProxy(load(text)).clusters, [{ name: 'a', weight: 1 }]);
});

t.test('one weighted cluster equals `cluster` (weight 1), so it round-trips', async (t) => {
  const b = load(withTcp('stat_prefix: db\nweighted_clusters: {clusters: [{name: b, weight: 7}]}'));
  t.strictSame(tcpProxy(b).clusters, [{ name: 'b', weight: 1 }]);
});

t.test('missing stat_prefix', async (t) => {
  t.same(issues(withTcp('cluster: a')), [`${P}: missing required field "stat_prefix"`]);
  t.same(issues(withTcp('stat_prefix: ""\ncluster: a')), [`${P}.stat_prefix: must not be empty`]);
});

t.test('cluster and weighted_clusters: both, neither', async (t) => {
  t.same(
    issues(withTcp('stat_prefix: db\ncluster: a\nweighted_clusters: {clusters: [{name: b, weight: 1}]}')),
    [`${P}: only one of cluster, weighted_clusters may be set (found cluster and weighted_clusters)`],
  );
  t.same(issues(withTcp('stat_prefix: db')), [`${P}: exactly one of cluster, weighted_clusters is required`]);
  t.same(issues(withTcp('stat_prefix: db\nweighted_clusters: {clusters: []}')), [
    `${P}.weighted_clusters: weighted_clusters.clusters must have at least one entry`,
  ]);
});

t.test('weights must be at least 1', async (t) => {
  const W = `${P}.weighted_clusters.clusters`;
  t.same(
    issues(
      withTcp('stat_prefix: db\nweighted_clusters: {clusters: [{name: a, weight: 0}, {name: b, weight: 1}]}'),
    ),
    [`${W}[0].weight: 0 is out of range; must be at least 1`],
  );
  t.same(
    issues(withTcp('stat_prefix: db\nweighted_clusters: {clusters: [{name: a}, {name: b, weight: 1}]}')),
    [`${W}[0]: missing required field "weight" (at least 1)`],
  );
  t.same(issues(withTcp('stat_prefix: db\nweighted_clusters: {clusters: [{weight: 2}]}')), [
    `${W}[0]: missing required field "name"`,
  ]);
});

t.test('an unknown cluster is reported like a route cluster', async (t) => {
  t.same(issues(withTcp('stat_prefix: db\ncluster: nope')), [
    `${P}.cluster: unknown cluster "nope" (not in static_resources.clusters; tcp_proxy clusters must be defined when the config loads)`,
  ]);
  t.match(
    issues(
      withTcp('stat_prefix: db\nweighted_clusters: {clusters: [{name: a, weight: 1}, {name: c, weight: 1}]}'),
    ),
    [`${P}.weighted_clusters.clusters[1].name: unknown cluster "c"`],
  );
});

t.test('bad durations', async (t) => {
  t.same(issues(withTcp('stat_prefix: db\ncluster: a\nidle_timeout: 10m')), [
    `${P}.idle_timeout: invalid duration "10m": the unit must be seconds with an "s" suffix (e.g. "0.25s"), not "m"`,
  ]);
  t.same(issues(withTcp('stat_prefix: db\ncluster: a\nmax_downstream_connection_duration: 0s')), [
    `${P}.max_downstream_connection_duration: must be at least 0.001s (leave it out for no limit)`,
  ]);
  t.match(issues(withTcp('stat_prefix: db\ncluster: a\nidle_timeout: -1s')), [
    `${P}.idle_timeout: invalid duration "-1s": must not be negative`,
  ]);
});

t.test('max_connect_attempts 0', async (t) => {
  t.same(issues(withTcp('stat_prefix: db\ncluster: a\nmax_connect_attempts: 0')), [
    `${P}.max_connect_attempts: 0 is out of range; must be at least 1`,
  ]);
});

t.test('fields not supported yet, and unknown fields', async (t) => {
  for (const f of [
    'metadata_match: {}',
    'hash_policy: []',
    'tunneling_config: {hostname: h}',
    'on_demand: {}',
    'upstream_idle_timeout: 1s',
  ]) {
    const name = f.slice(0, f.indexOf(':'));
    t.match(
      issues(withTcp(`stat_prefix: db\ncluster: a\n${f}`)),
      [`${P}.${name}: ${name} is not supported yet`],
      name,
    );
  }
  t.same(
    issues(
      withTcp('stat_prefix: db\nweighted_clusters: {clusters: [{name: a, weight: 1, metadata_match: {}}]}'),
    ),
    [`${P}.weighted_clusters.clusters[0].metadata_match: metadata_match is not supported yet`],
  );
  t.same(issues(withTcp('stat_prefix: db\ncluster: a\nbogus: 1')), [`${P}: unknown field "bogus"`]);
  t.same(
    issues(
      withTcp('stat_prefix: db\nweighted_clusters: {clusters: [{name: a, weight: 1}], total_weight: 1}'),
    ),
    [`${P}.weighted_clusters: unknown field "total_weight"`],
  );
});

t.test('the network filter list', async (t) => {
  const two = withTcp('stat_prefix: db\ncluster: a').replace(
    '    - filters:\n',
    `    - filters:\n      - name: envoy.filters.network.http_connection_manager\n        typed_config: {"@type": ${HCM_TYPE}}\n`,
  );
  t.match(issues(two), [
    /filter_chains\[0\]\.filters: expected exactly one network filter \(the http_connection_manager or tcp_proxy\), got 2/,
  ]);
  const unknown = minimal()
    .replace(HCM_TYPE, 'type.googleapis.com/envoy.extensions.filters.network.redis_proxy.v3.RedisProxy')
    .replace('envoy.filters.network.http_connection_manager', 'envoy.filters.network.redis_proxy');
  t.match(issues(unknown), [
    /filters\[0\]\.typed_config: network filter "envoy\.filters\.network\.redis_proxy" \(@type .*RedisProxy\) is not supported yet; only the http_connection_manager, tcp_proxy and network rbac \(before a tcp_proxy\) are/,
  ]);
  const wrongType = withTcp('stat_prefix: db\ncluster: a').replace(TCP_TYPE, `${TCP_TYPE}Typo`);
  t.match(issues(wrongType), [
    new RegExp(`not supported yet \\(expected "${TCP_TYPE.replace(/\./g, '\\.')}"\\)`),
  ]);
});

t.test('a TLS chain and a plaintext chain, one HTTP and one TCP, on one listener', async (t) => {
  const text = withTcp('stat_prefix: db\ncluster: a').replace(
    '    - filters:\n',
    `    - filter_chain_match: {transport_protocol: tls}
      filters:
      - name: envoy.filters.network.tcp_proxy
        typed_config: {"@type": ${TCP_TYPE}, stat_prefix: passthrough, cluster: b}
    - filter_chain_match: {transport_protocol: raw_buffer}
      filters:
`,
  );
  const b = load(text);
  const chains = b.listeners[0]?.filterChains ?? [];
  t.same(
    chains.map((c) => [c.match?.transportProtocol, c.tcpProxy?.statPrefix]),
    [
      ['tls', 'passthrough'],
      ['raw_buffer', 'db'],
    ],
  );
});
