import { createRequire } from 'node:module';
import type {
  buildConnector as BuildConnector,
  Client as ClientClass,
  Dispatcher as DispatcherClass,
} from 'undici';

const require = createRequire(import.meta.url);

/**
 * The undici pieces Skiff uses at run time, loaded from their own modules. undici's index
 * also loads fetch, WebSocket, caches, cookies and more: 19.8 MiB of RSS against 10.7 MiB for
 * the pool alone (measured with process.memoryUsage), which is most of the gap to the 80 MB
 * target. undici 7 declares no `exports` map, so these paths are importable; a unit test checks
 * they are the very classes the public index exports, so an upgrade that moves them fails loudly.
 * Skiff pools connections itself (lib/upstream/host-pool.ts), one undici Client per connection.
 */
export const Client: typeof ClientClass = require('undici/lib/dispatcher/client.js');
export const buildConnector: typeof BuildConnector = require('undici/lib/core/connect.js');
/** The EventEmitter base of every undici dispatcher (undici's index adds request() to it). */
export const UndiciDispatcher: typeof DispatcherClass = require('undici/lib/dispatcher/dispatcher.js');
