import t from 'tap';
import { poolOptions } from '../../../lib/upstream/pool-options.js';
import { clusterConfig } from './fixtures.js';

t.test('maps cluster settings onto undici Client options', async (t) => {
  const o = poolOptions(clusterConfig({ connectTimeoutMs: 250, idleTimeoutMs: 3_600_000 }));
  t.same(o.connect, { timeout: 250 });
  t.equal(o.connectTimeout, 250);
  t.equal(o.keepAliveTimeout, 4000, 'capped below a Node upstream’s 5 s keep-alive');
  t.equal(o.keepAliveMaxTimeout, 3_600_000, 'server hints may raise it up to the idle timeout');
  t.equal(o.keepAliveTimeoutThreshold, 1000);
  t.equal(o.pipelining, 1);
  t.equal(o.headersTimeout, 0, 'the router owns timeouts');
  t.equal(o.bodyTimeout, 0);
  t.notOk('maxRequestsPerClient' in o, 'the host pool counts requests per connection');
  t.ok((o.maxHeaderSize ?? 0) >= 64 * 1024);
  t.equal(o.strictContentLength, true);
});

t.test('a short idle timeout wins over the 4 s cap', async (t) => {
  const o = poolOptions(clusterConfig({ idleTimeoutMs: 1500, maxRequestsPerConnection: 100 }));
  t.equal(o.keepAliveTimeout, 1500);
  t.equal(o.keepAliveMaxTimeout, 1500);
});

t.test('idle_timeout 0 (disabled) keeps undici’s own ceiling', async (t) => {
  const o = poolOptions(clusterConfig({ idleTimeoutMs: 0 }));
  t.equal(o.keepAliveTimeout, 4000);
  t.equal(o.keepAliveMaxTimeout, 600_000);
});
