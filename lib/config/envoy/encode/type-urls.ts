/**
 * The `@type` of every typed_config the encoders write. They are the ones the decoders in
 * lib/config/envoy/ accept; the round-trip tests fail if the two ever drift apart.
 */
const T = 'type.googleapis.com/';

export const TYPE = {
  hcm: `${T}envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager`,
  tcpProxy: `${T}envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy`,
  networkRbac: `${T}envoy.extensions.filters.network.rbac.v3.RBAC`,
  router: `${T}envoy.extensions.filters.http.router.v3.Router`,
  fault: `${T}envoy.extensions.filters.http.fault.v3.HTTPFault`,
  cors: `${T}envoy.extensions.filters.http.cors.v3.Cors`,
  corsPolicy: `${T}envoy.extensions.filters.http.cors.v3.CorsPolicy`,
  rbac: `${T}envoy.extensions.filters.http.rbac.v3.RBAC`,
  rbacPerRoute: `${T}envoy.extensions.filters.http.rbac.v3.RBACPerRoute`,
  filterConfig: `${T}envoy.config.route.v3.FilterConfig`,
  fileAccessLog: `${T}envoy.extensions.access_loggers.file.v3.FileAccessLog`,
  stdoutAccessLog: `${T}envoy.extensions.access_loggers.stream.v3.StdoutAccessLog`,
  stderrAccessLog: `${T}envoy.extensions.access_loggers.stream.v3.StderrAccessLog`,
  previousHosts: `${T}envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate`,
  upstreamHttpOptions: `${T}envoy.extensions.upstreams.http.v3.HttpProtocolOptions`,
  loadAssignment: `${T}envoy.config.endpoint.v3.ClusterLoadAssignment`,
  cluster: `${T}envoy.config.cluster.v3.Cluster`,
  listener: `${T}envoy.config.listener.v3.Listener`,
  routeConfiguration: `${T}envoy.config.route.v3.RouteConfiguration`,
} as const;

/** The key of `typed_extension_protocol_options` for upstream HTTP settings. */
export const UPSTREAM_HTTP_OPTIONS_KEY = 'envoy.extensions.upstreams.http.v3.HttpProtocolOptions';
