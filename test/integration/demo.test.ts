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
});
