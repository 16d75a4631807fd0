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

  constructor(clock: Clock) {
    this.timer = new DeadlineTimer(clock, this.streams);
  }

  /** The socket closed: Node emits no 'close' for pipelined responses still queued, so end them. */
  close(): void {
    this.timer.stop();
    // A copy: each onClose() splices itself out of the list.
    for (const s of this.streams.slice()) s.onClose();
  }
}
