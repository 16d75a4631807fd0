import t from 'tap';
import * as undici from 'undici';
import { buildConnector, Client, UndiciDispatcher } from '../../../lib/upstream/undici-core.js';

t.test('the directly loaded undici pieces are the public ones', async (t) => {
  t.equal(Client, undici.Client, 'Client is undici.Client');
  t.equal(buildConnector, undici.buildConnector, 'buildConnector is undici.buildConnector');
  t.equal(UndiciDispatcher, undici.Dispatcher, 'the dispatcher base is undici.Dispatcher');
});
