/** `skiff run` tracing flags (sidecar mode): sampling percentage and where spans go. */
import type { HttpTracingConfig } from '../config/model.js';
import { SkiffError } from '../errors.js';
import { ISTIO_DEFAULT_SAMPLING_PCT } from '../tracing/tracing-hub.js';
import { usage } from './args.js';

export const TRACE_FLAGS = {
  'trace-sampling': { type: 'string' },
  'trace-endpoint': { type: 'string' },
  'trace-provider': { type: 'string' },
} as const satisfies Record<string, { type: 'string' }>;

type Values = Readonly<Record<string, string | boolean | readonly (string | boolean)[] | undefined>>;

/**
 * The sidecar's tracing, as Istio's default: every request propagates a context; random sampling
 * at `--trace-sampling` percent (1 by default) decides what is exported to `--trace-endpoint`
 * (OTLP/HTTP JSON, or Zipkin JSON v2 with `--trace-provider zipkin`). No endpoint = nothing exported.
 */
export function sidecarTracingFrom(values: Values): HttpTracingConfig {
  const rawPct = values['trace-sampling'];
  let pct = ISTIO_DEFAULT_SAMPLING_PCT;
  if (typeof rawPct === 'string') {
    pct = Number(rawPct);
    if (rawPct.trim() === '' || !Number.isFinite(pct) || pct < 0 || pct > 100)
      usage(`--trace-sampling: "${rawPct}" is not a percentage (0-100)`);
  }
  const kind = values['trace-provider'] ?? 'otlp';
  if (kind !== 'otlp' && kind !== 'zipkin')
    usage(`--trace-provider: "${String(kind)}" is not otlp or zipkin`);
  const endpoint = values['trace-endpoint'];
  let url: string | null = null;
  if (typeof endpoint === 'string') {
    try {
      const u = new URL(endpoint);
      if (u.protocol !== 'http:') usage(`--trace-endpoint: "${endpoint}" is not an http:// URL`);
      url = u.href;
    } catch (err) {
      if (err instanceof SkiffError) throw err;
      usage(`--trace-endpoint: "${endpoint}" is not a URL`);
    }
  }
  return {
    clientSamplingPct: 100,
    randomSamplingPct: pct,
    overallSamplingPct: 100,
    maxPathTagLength: 256,
    provider:
      url === null
        ? null
        : {
            kind: kind === 'zipkin' ? 'zipkin' : 'opentelemetry',
            name: kind === 'zipkin' ? 'envoy.tracers.zipkin' : 'envoy.tracers.opentelemetry',
            url,
            cluster: null,
            timeoutMs: 5000,
            serviceName: '',
            headers: [],
          },
  };
}
