import { connect } from 'node:net';
import t from 'tap';
import { readLogLines, tempLogPath } from '../helpers/files.js';
import { get, startProxy, staticCluster, type TestProxy } from '../helpers/proxy.js';
import { type FakeUpstream, startUpstream } from '../helpers/upstream.js';

const FAULT_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault';

/** One listener: fault filter (listener-level `fault` YAML) + router, a file access log. */
function faultBootstrap(opts: { fault?: string; routes?: string; port: number; log: string }): string {
  return `
static_resources:
  listeners:
  - name: test
    address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
    filter_chains:
    - filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          stat_prefix: test
          access_log:
          - name: envoy.access_loggers.file
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog
              path: ${opts.log}
              log_format: { text_format: "%REQ(:PATH)% %RESPONSE_CODE% %RESPONSE_FLAGS%\\n" }
          route_config:
            virtual_hosts:
            - name: all
              domains: ["*"]
              routes:
${opts.routes ?? '              - { match: { prefix: "/" }, route: { cluster: backend } }'}
          http_filters:
          - name: envoy.filters.http.fault
            typed_config:
              "@type": ${FAULT_TYPE}
${opts.fault ?? ''}
          - name: envoy.filters.http.router
            typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router }
  clusters:
${staticCluster('backend', opts.port)}
`;
}

interface Setup {
  proxy: TestProxy;
  up: FakeUpstream;
  log: string;
  /** Access log lines `path code flags` (read after the proxy stopped, so all are flushed). */
  lines(): Promise<string[]>;
  metric(name: string): Promise<number>;
}

async function setup(t: Tap, opts: { fault?: string; routes?: string } = {}): Promise<Setup> {
  const up = await startUpstream('up');
  const log = tempLogPath('fault');
  const proxy = await startProxy(faultBootstrap({ ...opts, port: up.port, log }));
  let stopped = false;
  const stop = async () => {
    if (!stopped) {
      stopped = true;
      await proxy.stop();
    }
  };
  t.teardown(async () => {
    await stop();
    await up.close();
  });
  return {
    proxy,
    up,
    log,
    lines: async () => {
      await stop();
      return readLogLines(log);
    },
    metric: async (name) => {
      const text = (await get(`${proxy.adminBase}/stats/prometheus`)).body;
      const m = new RegExp(`^${name}\\{envoy_http_conn_manager_prefix="test"\\} (\\d+)$`, 'm').exec(text);
      return m === null ? Number.NaN : Number(m[1]);
    },
  };
}

type Tap = { teardown(fn: () => unknown): void };

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

t.test('100 % abort: 503 "fault filter abort", FI, upstream never hit', async (t) => {
  const s = await setup(t, {
    fault: '              abort: { http_status: 503, percentage: { numerator: 100 } }',
  });
  const r = await get(`${s.proxy.base}/a`);
  t.equal(r.status, 503);
  t.equal(r.body, 'fault filter abort');
  t.equal(r.headers['content-type'], 'text/plain');
  t.equal(s.up.requests.length, 0, 'upstream never hit');
  t.equal(await s.metric('envoy_http_fault_aborts_injected'), 1);
  t.equal(await s.metric('envoy_http_fault_delays_injected'), 0);
  t.equal(await s.metric('envoy_http_fault_active_faults'), 0, 'released when the stream ended');
  t.same(await s.lines(), ['/a 503 FI']);
});

t.test('50 % abort over 200 requests stays within statistical bounds', async (t) => {
  const s = await setup(t, {
    fault: '              abort: { http_status: 500, percentage: { numerator: 50 } }',
  });
  let aborted = 0;
  let passed = 0;
  for (let i = 0; i < 200; i++) {
    const r = await get(`${s.proxy.base}/p`);
    if (r.status === 500 && r.body === 'fault filter abort') aborted++;
    else if (r.status === 200) passed++;
  }
  t.equal(aborted + passed, 200);
  // Binomial(200, 0.5): mean 100, sd ≈ 7.07; ±5 sd fails about once in 1.7 million runs.
  t.ok(aborted >= 65 && aborted <= 135, `aborted ${aborted} of 200`);
  t.equal(s.up.requests.length, passed, 'only unfaulted requests reached the upstream');
  t.equal(await s.metric('envoy_http_fault_aborts_injected'), aborted);
});

t.test('fixed delay: the upstream sees the request only after the delay; DI', async (t) => {
  const s = await setup(t, {
    fault: '              delay: { fixed_delay: 0.2s, percentage: { numerator: 100 } }',
  });
  let seenAt = 0;
  s.up.handle((_req, res) => {
    seenAt = performance.now();
    res.end('ok');
  });
  const start = performance.now();
  const r = await get(`${s.proxy.base}/d`);
  t.equal(r.status, 200);
  t.equal(r.body, 'ok');
  // Lower bound only (timers never fire early by more than clock granularity).
  t.ok(seenAt - start >= 195, `upstream reached after ${Math.round(seenAt - start)} ms`);
  t.equal(await s.metric('envoy_http_fault_delays_injected'), 1);
  t.equal(await s.metric('envoy_http_fault_active_faults'), 0);
  t.same(await s.lines(), ['/d 200 DI']);
});

t.test('per-route override via typed_per_filter_config: one route faulted, another not', async (t) => {
  const routes = `              - match: { prefix: "/faulted" }
                route: { cluster: backend }
                typed_per_filter_config:
                  envoy.filters.http.fault:
                    "@type": ${FAULT_TYPE}
                    abort: { http_status: 418, percentage: { numerator: 100 } }
              - match: { prefix: "/off" }
                route: { cluster: backend }
                typed_per_filter_config:
                  envoy.filters.http.fault: { "@type": type.googleapis.com/envoy.config.route.v3.FilterConfig, disabled: true }
              - { match: { prefix: "/" }, route: { cluster: backend } }`;
  const s = await setup(t, {
    routes,
    fault: '              abort: { http_status: 503, percentage: { numerator: 100 } }',
  });
  const f = await get(`${s.proxy.base}/faulted`);
  t.equal(f.status, 418, 'the route entry replaces the listener-level fault');
  t.equal(f.body, 'fault filter abort');
  const off = await get(`${s.proxy.base}/off`);
  t.equal(off.status, 200, 'disabled on this route');
  const other = await get(`${s.proxy.base}/other`);
  t.equal(other.status, 503, 'listener-level fault elsewhere');
  t.equal(s.up.requests.length, 1);
  t.equal(s.up.requests[0]?.url, '/off');
});

t.test('per-route fault with an empty listener-level config (Istio shape)', async (t) => {
  const routes = `              - match: { prefix: "/faulted" }
                route: { cluster: backend }
                typed_per_filter_config:
                  envoy.filters.http.fault:
                    "@type": ${FAULT_TYPE}
                    abort: { http_status: 503, percentage: { numerator: 100 } }
              - { match: { prefix: "/" }, route: { cluster: backend } }`;
  const s = await setup(t, { routes });
  t.equal((await get(`${s.proxy.base}/faulted`)).status, 503);
  t.equal((await get(`${s.proxy.base}/clean`)).status, 200);
  t.same(await s.lines(), ['/faulted 503 FI', '/clean 200 -']);
});

t.test('header-controlled abort and delay', async (t) => {
  const s = await setup(t, {
    fault: `              abort: { header_abort: {}, percentage: { numerator: 100 } }
              delay: { header_delay: {}, percentage: { numerator: 100 } }`,
  });
  const plain = await get(`${s.proxy.base}/h`);
  t.equal(plain.status, 200, 'no fault headers: no fault');
  const ab = await get(`${s.proxy.base}/h`, { headers: { 'x-envoy-fault-abort-request': '429' } });
  t.equal(ab.status, 429);
  t.equal(ab.body, 'fault filter abort');
  const none = await get(`${s.proxy.base}/h`, {
    headers: { 'x-envoy-fault-abort-request': '429', 'x-envoy-fault-abort-request-percentage': '0' },
  });
  t.equal(none.status, 200, 'percentage header 0 disables');
  const start = performance.now();
  const d = await get(`${s.proxy.base}/h`, { headers: { 'x-envoy-fault-delay-request': '100' } });
  t.equal(d.status, 200);
  t.ok(performance.now() - start >= 95, 'delayed by the header value');
  t.equal(s.up.requests.length, 3);
});

t.test('gRPC abort: trailers-only 200 with grpc-status and grpc-message', async (t) => {
  const s = await setup(t, {
    fault: '              abort: { grpc_status: 14, percentage: { numerator: 100 } }',
  });
  const r = await get(`${s.proxy.base}/pkg.Svc/Method`, {
    method: 'POST',
    headers: { 'content-type': 'application/grpc', te: 'trailers' },
    body: '\u0000\u0000\u0000\u0000\u0000',
  });
  t.equal(r.status, 200);
  t.equal(r.headers['grpc-status'], '14');
  t.equal(r.headers['grpc-message'], 'fault filter abort');
  t.equal(r.headers['content-type'], 'application/grpc');
  t.equal(r.body, '');
  const h = await get(`${s.proxy.base}/pkg.Svc/Method`, {
    method: 'POST',
    headers: { 'content-type': 'application/grpc+proto', 'x-envoy-fault-abort-request': '503' },
    body: '',
  });
  t.equal(h.headers['grpc-status'], '14', 'configured gRPC status (header control is off)');
  t.equal(s.up.requests.length, 0);
  t.same(await s.lines(), ['/pkg.Svc/Method 200 FI', '/pkg.Svc/Method 200 FI']);
});

t.test('client disconnect during a delay: the fault is released, nothing reaches the upstream', async (t) => {
  const s = await setup(t, {
    fault: '              delay: { fixed_delay: 30s, percentage: { numerator: 100 } }',
  });
  const sock = connect(s.proxy.port, '127.0.0.1');
  sock.on('error', () => {});
  sock.write('GET /slow HTTP/1.1\r\nhost: x\r\n\r\n');
  await waitFor('the delay to start', async () => (await s.metric('envoy_http_fault_active_faults')) === 1);
  t.equal(await s.metric('envoy_http_fault_delays_injected'), 1);
  sock.destroy();
  await waitFor(
    'the fault to be released',
    async () => (await s.metric('envoy_http_fault_active_faults')) === 0,
  );
  await waitFor('the stream to end', async () => {
    const text = (await get(`${s.proxy.adminBase}/stats/prometheus`)).body;
    return /envoy_http_downstream_rq_active\{envoy_http_conn_manager_prefix="test"\} 0/.test(text);
  });
  t.equal(s.up.requests.length, 0, 'the delayed request was never forwarded');
  const lines = await s.lines();
  t.same(lines, ['/slow 0 DI,DC']);
});
