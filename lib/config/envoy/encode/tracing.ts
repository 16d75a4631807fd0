import type { HttpTracingConfig, TracingProviderConfig } from '../../model.js';
import { OTEL_DEFAULT_SERVICE } from '../tracing.js';
import { fields, formatDuration, type Json, unless } from './format.js';

const TRACE_TYPES = 'type.googleapis.com/envoy.config.trace.v3.';

/** HCM `tracing` (defaults left out). */
export function encodeHcmTracing(t: HttpTracingConfig): Json {
  return fields({
    client_sampling: pct(t.clientSamplingPct),
    random_sampling: pct(t.randomSamplingPct),
    overall_sampling: pct(t.overallSamplingPct),
    max_path_tag_length: unless(t.maxPathTagLength, 256),
    provider: t.provider === null ? undefined : encodeProvider(t.provider),
  });
}

function pct(v: number): Json | undefined {
  return v === 100 ? undefined : { value: v };
}

function encodeProvider(p: TracingProviderConfig): Json {
  if (p.kind === 'zipkin') {
    const rest = p.url.slice('http://'.length);
    const slash = rest.indexOf('/');
    const hostname = slash === -1 ? rest : rest.slice(0, slash);
    return {
      name: p.name,
      typed_config: fields({
        '@type': `${TRACE_TYPES}ZipkinConfig`,
        collector_cluster: p.cluster ?? hostname,
        collector_endpoint: slash === -1 ? '/' : rest.slice(slash),
        collector_hostname: hostname === p.cluster ? undefined : hostname,
      }),
    };
  }
  return {
    name: p.name,
    typed_config: fields({
      '@type': `${TRACE_TYPES}OpenTelemetryConfig`,
      service_name: unless(p.serviceName, OTEL_DEFAULT_SERVICE),
      http_service: fields({
        http_uri: { uri: p.url, cluster: p.cluster ?? '', timeout: formatDuration(p.timeoutMs) },
        request_headers_to_add:
          p.headers.length === 0 ? undefined : p.headers.map(([key, value]) => ({ header: { key, value } })),
      }),
    }),
  };
}
