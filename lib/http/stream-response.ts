import { type IncomingMessage, ServerResponse } from 'node:http';

/** What the response tells when it closes (ActiveStream implements it). */
export interface CloseTarget {
  onClose(): void;
}

/** Shared by every response: `this` is the emitter, so no closure is created per request. */
function onResponseClose(this: StreamResponse): void {
  this.stream?.onClose();
}

/**
 * The server's ServerResponse class, carrying its stream. Saves the per-request closure plus
 * the wrapper objects `once()` allocates; the field is declared here so every response keeps
 * one hidden class. No constructor of its own: Node passes options the typings do not declare.
 */
export class StreamResponse<Req extends IncomingMessage = IncomingMessage> extends ServerResponse<Req> {
  stream: CloseTarget | null = null;

  /** Routes this response's 'close' (emitted once) to `stream.onClose()`. */
  attach(stream: CloseTarget): void {
    this.stream = stream;
    this.on('close', onResponseClose);
  }
}
