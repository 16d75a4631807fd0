/** `skiff run` in sidecar mode as a process: Istio's env vars, port flags, probes, live reload. */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { tempLogPath } from '../helpers/files.js';
import { get } from '../helpers/proxy.js';
import { freePort } from '../helpers/skiff-process.js';
import { startUpstream } from '../helpers/upstream.js';
import { eventually } from '../helpers/wait.js';

const SKIFF = fileURLToPath(new URL('../../../bin/skiff', import.meta.url));
const EXAMPLES = fileURLToPath(new URL('../../../config-examples/istio/', import.meta.url));

t.test('sidecar mode from Istio env vars: Sidecar picked by labels, Istio ports, reload', async (t) => {
  const v1 = await startUpstream('v1');
  const v2 = await startUpstream('v2');
  t.teardown(async () => {
    await v1.close();
    await v2.close();
  });
  const registry = tempLogPath('registry.yaml');
  writeFileSync(
    registry,
    readFileSync(`${EXAMPLES}order-service-registry.yaml`, 'utf8')
      .replace('http: 18081', `http: ${v1.port}`)
      .replace('http: 18082', `http: ${v2.port}`),
  );
  const canary = tempLogPath('canary.yaml');
  const canaryText = readFileSync(`${EXAMPLES}istio-canary.yaml`, 'utf8');
  writeFileSync(canary, canaryText);
  const [outbound, health, stats] = [await freePort(), await freePort(), await freePort()];
  const child = spawn(
    process.execPath,
    [
      SKIFF,
      'run',
      '-c',
      canary,
      '-c',
      registry,
      '--outbound-port',
      String(outbound),
      '--inbound-port',
      '0',
      '--health-port',
      String(health),
      '--stats-port',
      String(stats),
      '--admin-port',
      '0',
      '--bind-address',
      '127.0.0.1',
      '--log-level',
      'info',
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        POD_NAMESPACE: 'production',
        SERVICE_ACCOUNT: 'frontend',
        POD_NAME: 'frontend-7d9f',
        ISTIO_METAJSON_LABELS: '{"app":"frontend","version":"v1"}',
      },
    },
  );
  t.teardown(() => child.kill('SIGKILL'));
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString();
  });
  await eventually(() => /stats listening/.test(out), `the listening lines (${out}${err})`);
  t.match(out, new RegExp(`listener virtualOutbound listening on 127\\.0\\.0\\.1:${outbound}`));
  t.notMatch(out, /virtualInbound/, '--inbound-port 0 turns the inbound listener off');
  t.match(out, /admin listening on 127\.0\.0\.1:/, 'admin on localhost only');
  t.match(`${out}${err}`, /workload frontend-7d9f in namespace production, service account frontend/);

  const base = `http://127.0.0.1:${outbound}`;
  t.equal(
    (await get(`${base}/o`, { headers: { host: 'order-service', 'x-canary': 'yes' } })).body,
    'v2 GET /o',
  );
  // Sidecar defaults, as Istio's: a trace context propagated upstream, peer metadata exchanged.
  const seen = v2.requests.at(-1)?.headers ?? {};
  t.match(seen.traceparent, /^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/, 'W3C trace context');
  t.match(seen['x-b3-traceid'], /^[0-9a-f]{32}$/, 'B3 headers');
  t.equal(seen['x-b3-traceid'], String(seen.traceparent).slice(3, 35), 'one trace in both formats');
  t.match(seen['x-envoy-peer-metadata-id'], /^sidecar~/, 'peer metadata id');
  t.ok(seen['x-request-id'], 'x-request-id');
  // The Sidecar resource selects app=frontend (from ISTIO_METAJSON_LABELS): REGISTRY_ONLY.
  t.equal((await get(`${base}/`, { headers: { host: `127.0.0.1:${v1.port}` } })).status, 502);
  t.equal((await get(`http://127.0.0.1:${health}/healthz/ready`)).status, 200);
  const prom = (await get(`http://127.0.0.1:${stats}/stats/prometheus`)).body;
  t.match(prom, /envoy_cluster_upstream_rq_total/);
  // Sidecar mode reports Istio's standard metrics for this workload.
  t.match(
    prom,
    /istio_requests_total\{reporter="source",source_workload="frontend-7d9f",[^}]*source_workload_namespace="production",[^}]*source_app="frontend",source_version="v1",source_cluster="Kubernetes",[^}]*response_code="200"/,
  );
  t.match(prom, /istio_build\{component="proxy",tag="[^"]+"\} 1/);

  // Live reload of Istio files: a broken VirtualService is rejected, a good one applies.
  writeFileSync(canary, canaryText.replace('weight: 95', 'weight: -1'));
  child.kill('SIGHUP');
  await eventually(() => /config reload rejected/.test(err), 'the rejected reload');
  t.match(err, /spec\.http\[1\]\.route\[0\]\.weight/);
  t.equal((await get(`${base}/o`, { headers: { host: 'order-service', 'x-canary': 'yes' } })).status, 200);
  writeFileSync(canary, canaryText.replace('exact: "yes"', 'exact: "please"'));
  child.kill('SIGHUP');
  // Wait for the log line, not a v2 answer: 5 % of the old config's answers are v2 too.
  await eventually(() => /config reloaded/.test(`${out}${err}`), 'the reloaded VirtualService');
  // 5 % of other requests go to v2 anyway; twenty in a row are the new rule.
  for (let i = 0; i < 20; i++) {
    const r = await get(`${base}/o`, { headers: { host: 'order-service', 'x-canary': 'please' } });
    t.equal(r.body, 'v2 GET /o');
  }
});
