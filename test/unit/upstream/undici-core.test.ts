import t from 'tap';
import * as undici from 'undici';
import { buildConnector, Pool } from '../../../lib/upstream/undici-core.js';

t.test('the directly loaded undici pieces are the public ones', async (t) => {
  t.equal(Pool, undici.Pool, 'Pool is undici.Pool');
  t.equal(buildConnector, undici.buildConnector, 'buildConnector is undici.buildConnector');
});
