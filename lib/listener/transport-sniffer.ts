/**
 * Envoy's tls_inspector, reduced to what chain matching needs: the first bytes of a connection
 * decide `tls` (a TLS handshake record, 0x16 0x03) or `raw_buffer`. The bytes are put back so
 * the TLS or HTTP parser sees the whole stream.
 */
import type { Socket } from 'node:net';

/** The detected transport, or null when the peer closed or stayed silent past the timeout. */
export type TransportProtocol = 'tls' | 'raw_buffer';

const TLS_HANDSHAKE = 0x16;
const TLS_MAJOR = 0x03;

/**
 * Reads until the transport is known, then pauses the socket with the bytes unshifted and calls
 * `done`. `timeoutMs` 0 waits forever (Envoy's `listener_filters_timeout: 0s`).
 */
export function detectTransport(
  socket: Socket,
  timeoutMs: number,
  done: (proto: TransportProtocol | null) => void,
): void {
  let buffered: Buffer | null = null;
  let timer: NodeJS.Timeout | null = null;
  const finish = (proto: TransportProtocol | null): void => {
    socket.off('data', onData);
    socket.off('end', onEnd);
    socket.off('close', onEnd);
    socket.off('error', onEnd);
    if (timer !== null) clearTimeout(timer);
    if (proto !== null && buffered !== null) {
      socket.pause();
      socket.unshift(buffered);
    }
    done(proto);
  };
  const onData = (chunk: Buffer): void => {
    buffered = buffered === null ? chunk : Buffer.concat([buffered, chunk]);
    if (buffered[0] !== TLS_HANDSHAKE) finish('raw_buffer');
    else if (buffered.length >= 2) finish(buffered[1] === TLS_MAJOR ? 'tls' : 'raw_buffer');
  };
  const onEnd = (): void => finish(null);
  socket.on('data', onData);
  socket.once('end', onEnd);
  socket.once('close', onEnd);
  socket.once('error', onEnd);
  if (timeoutMs > 0) {
    timer = setTimeout(() => finish(null), timeoutMs);
    timer.unref();
  }
}
