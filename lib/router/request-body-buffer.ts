import { PassThrough, type Readable } from 'node:stream';

/**
 * Feeds a downstream request body to upstream attempts while keeping a copy for retries, up to
 * a byte limit (route/virtual host `per_request_buffer_limit_bytes`). Each attempt gets its own
 * stream — replayed chunks first, then live ones — so a failed attempt never destroys the
 * downstream request. Past the limit the copy is dropped (`retry_or_shadow_abandoned`) and the
 * body keeps streaming to the current attempt only. Back-pressure: the source pauses while the
 * current attempt's stream is full.
 */
export class RequestBodyBuffer {
  private chunks: Buffer[] | null = [];
  private size = 0;
  private ended = false;
  private sink: PassThrough | null = null;
  /** Called once when the copy is dropped because the body outgrew the limit. */
  onAbandoned: (() => void) | null = null;

  constructor(
    private readonly source: Readable,
    private readonly limit: number,
  ) {
    source.on('data', (chunk: Buffer) => this.onData(chunk));
    source.on('end', () => {
      this.ended = true;
      this.sink?.end();
    });
  }

  /** True while every byte received so far is kept (a retry can replay the body). */
  get replayable(): boolean {
    return this.chunks !== null;
  }

  /** Bytes of the body received so far. */
  get received(): number {
    return this.size;
  }

  /** The whole body kept so far as one buffer (shadowing); null once abandoned. */
  copy(): Buffer | null {
    const chunks = this.chunks;
    if (chunks === null) return null;
    return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, this.size);
  }

  /** A fresh body stream for the next attempt; the previous attempt's stream stops being fed. */
  attemptBody(): Readable {
    const old = this.sink;
    if (old !== null) {
      old.removeAllListeners('drain');
      old.destroy();
    }
    const sink = new PassThrough();
    this.sink = sink;
    sink.on('drain', () => this.source.resume());
    // undici errors the body stream it was given when its attempt fails; that is expected.
    sink.on('error', () => {});
    for (const c of this.chunks ?? []) sink.write(c);
    if (this.ended) sink.end();
    return sink;
  }

  private onData(chunk: Buffer): void {
    this.size += chunk.length;
    if (this.chunks !== null) {
      if (this.size <= this.limit) this.chunks.push(chunk);
      else {
        this.chunks = null;
        this.onAbandoned?.();
      }
    }
    const sink = this.sink;
    if (sink !== null && !sink.destroyed && !sink.write(chunk)) this.source.pause();
  }
}
