import type { TlsConnectionDetails } from '../listener/tls-details.js';
import type { Clock } from '../util/clock.js';
import type { ActiveStream } from './active-stream.js';
import { DeadlineTimer } from './deadline-timer.js';

/**
 * Per-connection state the streams share: the streams still open (HTTP/1 pipelining queues them;
 * HTTP/2 will multiplex them) and the one timer that enforces all their deadlines.
 */
export class DownstreamConnection {
  readonly streams: ActiveStream[] = [];
  readonly timer: DeadlineTimer;
  /** What the TLS handshake established; null on plaintext connections. */
  readonly tls: TlsConnectionDetails | null;

  constructor(clock: Clock, tls: TlsConnectionDetails | null = null) {
    this.timer = new DeadlineTimer(clock, this.streams);
    this.tls = tls;
  }

  /** The socket closed: Node emits no 'close' for pipelined responses still queued, so end them. */
  close(): void {
    this.timer.stop();
    // A copy: each onClose() splices itself out of the list.
    for (const s of this.streams.slice()) s.onClose();
  }
}
