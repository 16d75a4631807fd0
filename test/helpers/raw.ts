import { connect } from 'node:net';

/** Sends raw bytes and resolves with everything received until the peer closes or `until` matches. */
export function rawExchange(port: number, data: string, until?: RegExp, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1');
    let buf = '';
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`raw exchange timed out; got: ${JSON.stringify(buf)}`));
    }, timeoutMs);
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      if (until?.test(buf)) {
        clearTimeout(timer);
        sock.destroy();
        resolve(buf);
      }
    });
    sock.on('error', () => {});
    sock.on('close', () => {
      clearTimeout(timer);
      resolve(buf);
    });
    sock.write(data);
  });
}
