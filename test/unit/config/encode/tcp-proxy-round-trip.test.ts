import t from 'tap';
import { encodeTcpProxy } from '../../../../lib/config/envoy/encode/listener.js';
import type { Bootstrap, ListenerConfig, TcpProxyConfig } from '../../../../lib/config/model.js';
import { load, roundTrip, withoutSources } from './round-trip.js';

const TCP_TYPE = 'type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy';

const TEXT = `
static_resources:
  listeners:
  - name: tcp
    address: {socket_address: {address: 127.0.0.1, port_value: 0}}
    filter_chains:
    - filter_chain_match: {transport_protocol: tls}
      filters:
      - name: envoy.filters.network.tcp_proxy
        typed_config: {"@type": ${TCP_TYPE}, stat_prefix: passthrough, cluster: a}
    - filter_chain_match: {transport_protocol: raw_buffer}
      filters:
      - name: envoy.filters.network.tcp_proxy
        typed_config:
          "@type": ${TCP_TYPE}
          stat_prefix: db
          weighted_clusters: {clusters: [{name: a, weight: 90}, {name: b, weight: 10}]}
          idle_timeout: 0s
          max_connect_attempts: 3
          max_downstream_connection_duration: 0.25s
          access_log:
          - name: envoy.access_loggers.file
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog
              path: /dev/stdout
              log_format: {json_format: {cluster: "%UPSTREAM_CLUSTER%", rx: "%BYTES_RECEIVED%"}}
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

t.test('a listener of tcp_proxy chains round-trips', async (t) => {
  const m = load(TEXT);
  t.equal(m.listeners[0]?.filterChains.length, 2);
  t.strictSame(withoutSources(roundTrip(m)), withoutSources(m));
});

t.test('hand-built TcpProxyConfig values round-trip', async (t) => {
  const base = load(TEXT);
  const listener = base.listeners[0] as ListenerConfig;
  const models: TcpProxyConfig[] = [
    {
      statPrefix: 'x',
      clusters: [{ name: 'b', weight: 1 }],
      idleTimeoutMs: 3_600_000,
      maxConnectAttempts: 1,
      maxDownstreamConnectionDurationMs: 0,
      accessLog: [],
    },
    {
      statPrefix: 'y',
      clusters: [
        { name: 'a', weight: 1 },
        { name: 'b', weight: 4_000_000 },
      ],
      idleTimeoutMs: 1500,
      maxConnectAttempts: 10,
      maxDownstreamConnectionDurationMs: 86_400_000,
      accessLog: [{ name: 'out', path: '/dev/stderr', textFormat: '%DURATION%\n', jsonFormat: null }],
    },
  ];
  for (const tcpProxy of models) {
    const m: Bootstrap = {
      ...base,
      listeners: [{ ...listener, filterChains: [{ name: 'only', tcpProxy }] }],
    };
    t.strictSame(roundTrip(m).listeners[0]?.filterChains[0], { name: 'only', tcpProxy }, tcpProxy.statPrefix);
  }
});

t.test('encodeTcpProxy leaves defaults out', async (t) => {
  const m = load(TEXT).listeners[0]?.filterChains[0]?.tcpProxy;
  t.ok(m);
  if (m !== undefined)
    t.strictSame(encodeTcpProxy(m), { '@type': TCP_TYPE, stat_prefix: 'passthrough', cluster: 'a' });
});
