import t from 'tap';
import { formatIssue } from '../../../lib/config/errors.js';
import { loadConfigText } from '../../../lib/config/load.js';
import type { HttpConnectionManagerConfig } from '../../../lib/config/model.js';
import { roundTrip, withoutSources } from './encode/round-trip.js';
import { minimal } from './fixtures.js';

/** The minimal bootstrap with `tracing` (YAML at the HCM's indentation) on its HCM. */
function load(tracing: string) {
  const yaml = minimal().replace(
    '          stat_prefix: ingress\n',
    `          stat_prefix: ingress\n${tracing}\n`,
  );
  const r = loadConfigText(yaml, 't.yaml');
  return {
    hcm: r.ok ? (r.bootstrap.listeners[0]!.filterChains[0]!.hcm as HttpConnectionManagerConfig) : null,
    issues: r.ok ? [] : r.issues.map(formatIssue),
  };
}

const OTEL = `
            provider:
              name: envoy.tracers.opentelemetry
              typed_config:
                "@type": type.googleapis.com/envoy.config.trace.v3.OpenTelemetryConfig
                http_service:
                  http_uri: { uri: "otel:4318/v1/traces", cluster: svc, timeout: 0.25s }`;

t.test('no tracing block: no tracing', async (t) => {
  const { hcm, issues } = load('');
  t.same(issues, []);
  t.equal(hcm?.tracing, undefined);
});

t.test("an empty tracing block takes Envoy's defaults", async (t) => {
  const { hcm, issues } = load('          tracing: {}');
  t.same(issues, []);
  t.same(hcm?.tracing, {
    clientSamplingPct: 100,
    randomSamplingPct: 100,
    overallSamplingPct: 100,
    maxPathTagLength: 256,
    provider: null,
  });
});

t.test('OpenTelemetry over http_service', async (t) => {
  const { hcm, issues } = load(`          tracing:
            client_sampling: { value: 50 }
            random_sampling: { value: 1.5 }
            overall_sampling: { value: 80 }
            max_path_tag_length: 64
            verbose: true${OTEL}`);
  t.same(issues, []);
  t.same(hcm?.tracing, {
    clientSamplingPct: 50,
    randomSamplingPct: 1.5,
    overallSamplingPct: 80,
    maxPathTagLength: 64,
    provider: {
      kind: 'opentelemetry',
      name: 'envoy.tracers.opentelemetry',
      url: 'http://otel:4318/v1/traces',
      cluster: 'svc',
      timeoutMs: 250,
      serviceName: 'unknown_service:envoy',
      headers: [],
    },
  });
});

t.test('Zipkin JSON v2', async (t) => {
  const { hcm, issues } = load(`          tracing:
            provider:
              name: envoy.tracers.zipkin
              typed_config:
                "@type": type.googleapis.com/envoy.config.trace.v3.ZipkinConfig
                collector_cluster: svc
                collector_endpoint: /api/v2/spans
                collector_endpoint_version: HTTP_JSON
                trace_id_128bit: true`);
  t.same(issues, []);
  t.match(hcm?.tracing?.provider, {
    kind: 'zipkin',
    url: 'http://svc/api/v2/spans',
    cluster: 'svc',
    serviceName: '',
  });
});

const BAD: ReadonlyArray<[string, string, RegExp]> = [
  ['unknown field', '          tracing: { sampling_rate: 3 }', /tracing.*unknown field "sampling_rate"/],
  [
    'percentage over 100',
    '          tracing: { random_sampling: { value: 150 } }',
    /tracing\.random_sampling\.value/,
  ],
  ['custom_tags', '          tracing: { custom_tags: [] }', /tracing.*custom_tags.*not supported/],
  [
    'unknown tracer type',
    `          tracing:
            provider: { name: x, typed_config: { "@type": type.googleapis.com/envoy.config.trace.v3.DatadogConfig } }`,
    /tracing\.provider\.typed_config.*DatadogConfig.*not supported/,
  ],
  [
    'gRPC export',
    `          tracing:
            provider:
              name: envoy.tracers.opentelemetry
              typed_config:
                "@type": type.googleapis.com/envoy.config.trace.v3.OpenTelemetryConfig
                grpc_service: { envoy_grpc: { cluster_name: svc } }`,
    /grpc_service.*not supported/,
  ],
  [
    'missing http_uri timeout',
    OTEL.replace(', timeout: 0.25s', ''),
    /http_uri.*missing required field "timeout"/,
  ],
  ['https collector', OTEL.replace('"otel:4318', '"https://otel:4318'), /http_uri\.uri.*only http:\/\//],
  [
    'zipkin proto',
    `          tracing:
            provider:
              name: envoy.tracers.zipkin
              typed_config:
                "@type": type.googleapis.com/envoy.config.trace.v3.ZipkinConfig
                collector_cluster: svc
                collector_endpoint: /api/v2/spans
                collector_endpoint_version: HTTP_PROTO`,
    /collector_endpoint_version.*HTTP_PROTO is not supported/,
  ],
  [
    'zipkin without endpoint',
    `          tracing:
            provider:
              name: envoy.tracers.zipkin
              typed_config: { "@type": type.googleapis.com/envoy.config.trace.v3.ZipkinConfig, collector_cluster: svc }`,
    /missing required field "collector_endpoint"/,
  ],
];

for (const [label, yaml, re] of BAD) {
  t.test(`bad tracing: ${label}`, async (t) => {
    const { issues } = load(yaml.startsWith('\n') ? `          tracing:${yaml}` : yaml);
    t.ok(issues.length > 0, 'rejected');
    t.match(issues.join('\n'), re);
  });
}

t.test('tracing blocks round-trip through the Envoy encoder', async (t) => {
  const zipkin = `          tracing:
            overall_sampling: { value: 10 }
            provider:
              name: envoy.tracers.zipkin
              typed_config:
                "@type": type.googleapis.com/envoy.config.trace.v3.ZipkinConfig
                collector_cluster: svc
                collector_endpoint: /api/v2/spans
                collector_hostname: zipkin.istio-system:9411`;
  const otel = `          tracing:
            random_sampling: { value: 1 }
            provider:
              name: envoy.tracers.opentelemetry
              typed_config:
                "@type": type.googleapis.com/envoy.config.trace.v3.OpenTelemetryConfig
                service_name: edge
                http_service:
                  http_uri: { uri: "http://otel:4318/v1/traces", cluster: svc, timeout: 2s }
                  request_headers_to_add: [{ header: { key: authorization, value: "Bearer x" } }]`;
  for (const block of [zipkin, otel, '          tracing: {}']) {
    const yaml = minimal().replace(
      '          stat_prefix: ingress\n',
      `          stat_prefix: ingress\n${block}\n`,
    );
    const r = loadConfigText(yaml, 't.yaml');
    t.ok(r.ok);
    if (r.ok) t.strictSame(withoutSources(roundTrip(r.bootstrap)), withoutSources(r.bootstrap));
  }
});
