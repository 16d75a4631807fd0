import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * Closes an HTTP server the way a drain needs on Node (hardening.md §0.7): stop accepting, close
 * idle keep-alive sockets now and again as responses finish, and after `deadlineMs` cut whatever
 * is still open. Plain `server.close()` would wait for keep-alive timeouts instead.
 */
export function closeServerGracefully(server: Server, deadlineMs: number): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) {
      resolve();
      return;
    }
    const sweep = setInterval(() => server.closeIdleConnections(), 50);
    const deadline = setTimeout(() => server.closeAllConnections(), deadlineMs);
    sweep.unref();
    deadline.unref();
    server.close(() => {
      clearInterval(sweep);
      clearTimeout(deadline);
      resolve();
    });
    server.closeIdleConnections();
  });
}

/**
 * Drains connections a listener handed on and tracks itself (sockets given to a server with
 * `emit('connection')`, or TCP sessions): `isIdle` picks those that may close now, checked at
 * once and every 50 ms (null = none is ever idle); whatever is open at `deadlineMs` is destroyed.
 * Resolves once `sockets` (which their 'close' handlers empty) is empty.
 */
export function drainSockets(
  sockets: ReadonlySet<Duplex>,
  deadlineMs: number,
  isIdle: ((socket: Duplex) => boolean) | null,
): Promise<void> {
  return new Promise((resolve) => {
    const sweep = (): void => {
      if (isIdle !== null) for (const s of sockets) if (isIdle(s)) s.destroy();
      if (sockets.size === 0) finish();
    };
    const timer = setInterval(sweep, 50);
    const deadline = setTimeout(() => {
      for (const s of sockets) s.destroy();
      finish();
    }, deadlineMs);
    timer.unref();
    deadline.unref();
    const finish = (): void => {
      clearInterval(timer);
      clearTimeout(deadline);
      resolve();
    };
    sweep();
  });
}
