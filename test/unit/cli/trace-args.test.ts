import t from 'tap';
import { sidecarTracingFrom } from '../../../lib/cli/trace-args.js';

t.test("defaults: Istio's 1 % sampling, propagation only (no exporter without an endpoint)", async (t) => {
  const c = sidecarTracingFrom({});
  t.equal(c.randomSamplingPct, 1);
  t.equal(c.provider, null);
});

t.test('an endpoint picks the exporter; zipkin on request', async (t) => {
  const otlp = sidecarTracingFrom({
    'trace-endpoint': 'http://127.0.0.1:4318/v1/traces',
    'trace-sampling': '25',
  });
  t.equal(otlp.randomSamplingPct, 25);
  t.match(otlp.provider, { kind: 'opentelemetry', url: 'http://127.0.0.1:4318/v1/traces' });
  const zipkin = sidecarTracingFrom({
    'trace-endpoint': 'http://zipkin:9411/api/v2/spans',
    'trace-provider': 'zipkin',
  });
  t.match(zipkin.provider, { kind: 'zipkin', name: 'envoy.tracers.zipkin' });
  t.equal(sidecarTracingFrom({ 'trace-sampling': '0' }).randomSamplingPct, 0);
});

t.test('bad values are usage errors naming the flag', async (t) => {
  for (const [values, re] of [
    [{ 'trace-sampling': '' }, /--trace-sampling: "" is not a percentage/],
    [{ 'trace-sampling': '101' }, /--trace-sampling: "101"/],
    [{ 'trace-sampling': 'lots' }, /--trace-sampling: "lots"/],
    [{ 'trace-provider': 'jaeger' }, /--trace-provider: "jaeger" is not otlp or zipkin/],
    [{ 'trace-endpoint': 'collector:4318' }, /--trace-endpoint: "collector:4318"/],
    [{ 'trace-endpoint': 'https://c/v1/traces' }, /is not an http:\/\/ URL/],
  ] as const) {
    t.throws(() => sidecarTracingFrom(values), { code: 'SKIFF_ERR_USAGE', message: re });
  }
});
