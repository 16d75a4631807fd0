import t from 'tap';
import { startDemo } from '../../lib/demo/demo.js';
import { createLogger } from '../../lib/util/logger.js';
import { get } from '../helpers/proxy.js';

t.test('the demo serves the seed canary: x-canary → v2, otherwise mostly v1', async (t) => {
  const demo = await startDemo({
    listenerPort: 0,
    adminPort: 0,
    upstreamPorts: [0, 0],
    logger: createLogger('off'),
  });
  t.teardown(() => demo.stop());
  const base = `http://127.0.0.1:${demo.listenerPort}`;
  const host = { host: 'order-service' };
  for (let i = 0; i < 10; i++) {
    t.equal(
      (await get(`${base}/orders`, { headers: { ...host, 'x-canary': 'yes' } })).body,
      'order-service v2\n',
    );
  }
  let v1 = 0;
  for (let i = 0; i < 200; i++)
    if ((await get(`${base}/orders`, { headers: host })).body === 'order-service v1\n') v1++;
  // 95 % of 200 = 190, sd ≈ 3.1
  t.ok(v1 >= 175 && v1 <= 200, `v1 served ${v1}/200`);
  // A sidecar's observability: Istio's metrics for the frontend workload, the dashboard for people.
  const admin = demo.skiff.adminAddress();
  const adminBase = `http://127.0.0.1:${admin?.port}`;
  const stats = (await get(`${adminBase}/stats/prometheus`)).body;
  const line = stats.split('\n').find((l) => l.startsWith('istio_requests_total{reporter="source"')) ?? '';
  for (const label of [
    'source_workload="frontend"',
    'source_workload_namespace="production"',
    'destination_service_name="order-service"',
    'response_code="200"',
  ])
    t.ok(line.includes(label), label);
  t.match(line, / 210$/, 'every request counted');
  const page = await get(`${adminBase}/`, { headers: { accept: 'text/html' } });
  t.match(page.headers['content-type'], /text\/html/);
});
