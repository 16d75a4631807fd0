import type { Server } from 'node:http';

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
