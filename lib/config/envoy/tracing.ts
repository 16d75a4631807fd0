import type { HttpTracingConfig, TracingProviderConfig } from '../model.js';
import type { FieldReader } from '../reader.js';
import {
  HCM_TRACING_RULES,
  HTTP_SERVICE_RULES,
  HTTP_URI_RULES,
  OPENTELEMETRY_CONFIG_RULES,
  TRACING_PROVIDER_RULES,
  ZIPKIN_CONFIG_RULES,
} from './field-rules.js';
import { readAdds } from './header-mutations.js';
import { readTypedConfig } from './typed-config.js';

const OTEL_TYPE = 'type.googleapis.com/envoy.config.trace.v3.OpenTelemetryConfig';
const ZIPKIN_TYPE = 'type.googleapis.com/envoy.config.trace.v3.ZipkinConfig';
/** Envoy's OpenTelemetry tracer default `service_name`. */
export const OTEL_DEFAULT_SERVICE = 'unknown_service:envoy';

/** Decodes the HCM `tracing` block; undefined when absent or invalid (issues reported). */
export function readHcmTracing(r: FieldReader): HttpTracingConfig | undefined {
  const t = r.object('tracing');
  if (t === undefined) return undefined;
  const out: HttpTracingConfig = {
    clientSamplingPct: percent(t, 'client_sampling'),
    randomSamplingPct: percent(t, 'random_sampling'),
    overallSamplingPct: percent(t, 'overall_sampling'),
    maxPathTagLength: t.int('max_path_tag_length', 1) ?? 256,
    provider: readProvider(t.object('provider')),
  };
  t.finish(HCM_TRACING_RULES);
  return out;
}

/** `envoy.type.v3.Percent` `{value}`, 0–100, default 100. */
function percent(r: FieldReader, name: string): number {
  const p = r.object(name);
  if (p === undefined) return 100;
  const v = p.number('value', 0, 100) ?? 100;
  p.finish();
  return v;
}

function readProvider(r: FieldReader | undefined): TracingProviderConfig | null {
  if (r === undefined) return null;
  const name = r.requiredString('name');
  const tc = readTypedConfig(r);
  r.finish(TRACING_PROVIDER_RULES);
  if (tc === undefined) {
    if (!r.has('typed_config')) r.error(null, 'missing required field "typed_config"');
    return null;
  }
  if (tc.typeUrl === OTEL_TYPE) return readOpenTelemetry(tc.reader, name);
  if (tc.typeUrl === ZIPKIN_TYPE) return readZipkin(tc.reader, name);
  r.error(
    'typed_config',
    `tracer type "${tc.typeUrl}" is not supported; supported: envoy.tracers.opentelemetry (OpenTelemetryConfig with http_service), envoy.tracers.zipkin (ZipkinConfig)`,
  );
  return null;
}

/** `OpenTelemetryConfig` over `http_service` (OTLP/HTTP); gRPC export is not supported. */
function readOpenTelemetry(r: FieldReader, name: string): TracingProviderConfig | null {
  const serviceName = r.string('service_name') ?? OTEL_DEFAULT_SERVICE;
  const svc = r.object('http_service');
  r.finish(OPENTELEMETRY_CONFIG_RULES);
  if (svc === undefined) {
    if (!r.has('grpc_service')) r.error(null, 'missing required field "http_service"');
    return null;
  }
  const uri = svc.requiredObject('http_uri');
  // Export requests set these once (append actions make no difference on a fresh request).
  const headers = readAdds(svc, 'request_headers_to_add').map((h) => [h.key, h.value] as const);
  svc.finish(HTTP_SERVICE_RULES);
  if (uri === undefined) return null;
  const url = uri.requiredString('uri');
  const cluster = uri.requiredString('cluster');
  const timeoutMs = uri.duration('timeout');
  if (timeoutMs === undefined && !uri.has('timeout')) uri.error(null, 'missing required field "timeout"');
  uri.finish(HTTP_URI_RULES);
  const full = absoluteUrl(uri, url);
  if (full === null) return null;
  return { kind: 'opentelemetry', name, url: full, cluster, timeoutMs: timeoutMs ?? 0, serviceName, headers };
}

/** `ZipkinConfig`: JSON v2 to `collector_cluster` at `collector_endpoint`. */
function readZipkin(r: FieldReader, name: string): TracingProviderConfig | null {
  const cluster = r.requiredString('collector_cluster');
  const endpoint = r.requiredString('collector_endpoint');
  r.enumValue('collector_endpoint_version', ['HTTP_JSON'], ['HTTP_PROTO', 'GRPC']);
  const hostname = r.string('collector_hostname') ?? cluster;
  r.finish(ZIPKIN_CONFIG_RULES);
  if (endpoint !== '' && !endpoint.startsWith('/'))
    r.error('collector_endpoint', `"${endpoint}" must be a path starting with "/"`);
  // Envoy's Zipkin tracer reports the node's cluster as the local service (serviceName '').
  return {
    kind: 'zipkin',
    name,
    url: `http://${hostname}${endpoint}`,
    cluster,
    timeoutMs: 5000,
    serviceName: '',
    headers: [],
  };
}

/** `http_uri.uri` may be `host[:port]/path` (Envoy accepts that) or a full http URL. */
function absoluteUrl(r: FieldReader, uri: string): string | null {
  const full = /^[a-z][a-z0-9+.-]*:\/\//i.test(uri) ? uri : `http://${uri}`;
  try {
    const u = new URL(full);
    if (u.protocol !== 'http:') {
      r.error('uri', `"${uri}": only http:// collectors are supported`);
      return null;
    }
    return u.href;
  } catch {
    r.error('uri', `"${uri}" is not a valid URL`);
    return null;
  }
}
