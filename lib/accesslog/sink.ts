import { closeSync, constants, createWriteStream, openSync, statSync } from 'node:fs';
import { Socket } from 'node:net';
import type { Writable } from 'node:stream';
import { SkiffError } from '../errors.js';

/** Where formatted access-log lines go. Lines already carry their own newline. */
export interface AccessLogSink {
  write(line: string): void;
  /** Flushes what is buffered; closes the file (never the process's stdout/stderr). */
  close(): Promise<void>;
  /** Lines dropped because the destination stopped draining or failed. */
  readonly dropped: number;
}

/** Where every sink reports a dropped line (`skiff_access_log_dropped_total`). */
export interface DropCounter {
  inc(): void;
}

/** Flush at least this often (ms), or earlier once a chunk is full. */
const FLUSH_INTERVAL_MS = 100;
/** 64 KiB chunks: one write per this much log text at most. */
const CHUNK_BYTES = 64 * 1024;
/** While the destination is not draining, keep at most this much (4 MiB), then drop lines. */
const MAX_PENDING_BYTES = 4 * 1024 * 1024;
/** close() waits this long (ms) for a stalled destination, then gives the rest up. */
const CLOSE_DRAIN_MS = 2000;

/**
 * Batches lines into one write per 100 ms (or per 64 KiB chunk) and bounds memory when the
 * destination is slow. Envoy flushes its file logs on an interval too; a write per event-loop
 * turn cost a thread-pool hop and a syscall per request at benchmark rates. Each line is copied
 * into a byte chunk at once, so the string dies young instead of being carried through
 * garbage collections until the flush (that retention cost ~4 µs per request under load).
 */
class BatchingSink implements AccessLogSink {
  dropped = 0;
  /** Full chunks waiting for the next flush. */
  private full: Buffer[] = [];
  private chunk: Buffer = Buffer.allocUnsafeSlow(CHUNK_BYTES);
  private used = 0;
  private pendingBytes = 0;
  private scheduled = false;
  private blocked = false;
  private failed = false;
  private closing: Promise<void> | null = null;

  constructor(
    private readonly out: Writable,
    private readonly owned: boolean,
    private readonly drops: DropCounter | null = null,
  ) {
    out.on('drain', this.onDrain);
    out.on('error', this.onError);
  }

  write(line: string): void {
    if (this.failed || this.closing !== null) {
      this.drop();
      return;
    }
    if (this.blocked && this.pendingBytes + this.out.writableLength + line.length > MAX_PENDING_BYTES) {
      this.drop();
      return;
    }
    // UTF-8 needs at most 3 bytes per UTF-16 unit.
    if (line.length * 3 > CHUNK_BYTES - this.used) {
      this.sealChunk();
      if (line.length * 3 > CHUNK_BYTES) {
        const big = Buffer.from(line, 'utf8');
        this.full.push(big);
        this.pendingBytes += big.length;
        this.afterWrite();
        return;
      }
    }
    const n = this.chunk.write(line, this.used, 'utf8');
    this.used += n;
    this.pendingBytes += n;
    this.afterWrite();
  }

  private drop(): void {
    this.dropped++;
    this.drops?.inc();
  }

  private afterWrite(): void {
    if (this.blocked) return;
    if (this.full.length > 0) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setTimeout(this.onTimer, FLUSH_INTERVAL_MS);
    }
  }

  /** Moves the current chunk's bytes to `full` and starts a fresh chunk. */
  private sealChunk(): void {
    if (this.used === 0) return;
    this.full.push(this.chunk.subarray(0, this.used));
    this.chunk = Buffer.allocUnsafeSlow(CHUNK_BYTES);
    this.used = 0;
  }

  close(): Promise<void> {
    if (this.closing === null) this.closing = this.finish();
    return this.closing;
  }

  private async finish(): Promise<void> {
    // A destination nobody reads (a stalled pipe) must not hold shutdown: wait a bounded time.
    if (!this.failed && this.blocked && !(await this.waitDrain())) this.giveUp();
    if (!this.failed) this.flush();
    this.out.off('drain', this.onDrain);
    if (this.owned) {
      const ended = new Promise<boolean>((resolve) => {
        if (this.out.destroyed) return resolve(true);
        this.out.end(() => resolve(true));
        this.out.once('error', () => resolve(true));
      });
      if (!(await withTimeout(ended))) this.out.destroy();
    } else if (this.out.writableNeedDrain && !this.failed) {
      await this.waitDrain();
    }
    this.out.off('error', this.onError);
  }

  /** Resolves true on drain (or error), false when CLOSE_DRAIN_MS passed first. */
  private waitDrain(): Promise<boolean> {
    let done: () => void = () => {};
    const drained = new Promise<boolean>((resolve) => {
      done = () => resolve(true);
      this.out.once('drain', done);
      this.out.once('error', done);
    });
    return withTimeout(drained).then((ok) => {
      this.out.off('drain', done);
      this.out.off('error', done);
      return ok;
    });
  }

  /** Counts what is still buffered here as lost and stops writing. */
  private giveUp(): void {
    this.failed = true;
    this.full = [];
    this.used = 0;
    this.pendingBytes = 0;
    if (this.owned) this.out.destroy();
  }

  private flush(): void {
    this.sealChunk();
    if (this.full.length === 0) return;
    const data = this.full.length === 1 ? this.full[0]! : Buffer.concat(this.full);
    this.full = [];
    this.pendingBytes = 0;
    if (!this.out.write(data)) this.blocked = true;
  }

  private readonly onTimer = (): void => {
    this.scheduled = false;
    if (!this.blocked && !this.failed) this.flush();
  };

  private readonly onDrain = (): void => {
    this.blocked = false;
    if (this.closing === null) this.flush();
  };

  private readonly onError = (): void => {
    this.failed = true;
    this.full = [];
    this.used = 0;
    this.pendingBytes = 0;
  };
}

/** `p`'s value, or false if it has not settled within CLOSE_DRAIN_MS. */
function withTimeout(p: Promise<boolean>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => {
    // Not unref'd: shutdown waits for this bound, then finishes.
    timer = setTimeout(() => resolve(false), CLOSE_DRAIN_MS);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/** A batching sink over any writable; `owned` streams are ended by close(). */
export function sinkForStream(
  out: Writable,
  owned: boolean,
  drops: DropCounter | null = null,
): AccessLogSink {
  return new BatchingSink(out, owned, drops);
}

function openError(path: string, err: unknown): SkiffError {
  const reason = err instanceof Error ? err.message : String(err);
  return new SkiffError('SKIFF_ERR_CONFIG', `cannot open access log file ${path}: ${reason}`, { cause: err });
}

function isFifo(path: string): boolean {
  try {
    return statSync(path).isFIFO();
  } catch {
    return false;
  }
}

/**
 * A FIFO (named pipe) is opened non-blocking and written through libuv's pipe stream: a plain
 * open would wait for a reader on the event loop, and file writes would park a thread-pool
 * thread for as long as the reader stalls.
 */
function openFifo(path: string, drops: DropCounter | null): AccessLogSink {
  let fd: number;
  try {
    fd = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK);
  } catch (err) {
    const noReader = (err as NodeJS.ErrnoException).code === 'ENXIO';
    throw noReader ? openError(path, new Error('FIFO has no reader (ENXIO)')) : openError(path, err);
  }
  try {
    return new BatchingSink(new Socket({ fd, readable: false, writable: true }), true, drops);
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}

/**
 * Opens a sink. `/dev/stdout` and `/dev/stderr` use the process streams; any other path is
 * opened for append (created if absent) synchronously, so a bad path throws here, at config
 * time, instead of surfacing later as a stream error.
 */
export function openAccessLogSink(path: string, drops: DropCounter | null = null): AccessLogSink {
  if (path === '/dev/stdout') return new BatchingSink(process.stdout, false, drops);
  if (path === '/dev/stderr') return new BatchingSink(process.stderr, false, drops);
  if (isFifo(path)) return openFifo(path, drops);
  let fd: number;
  try {
    fd = openSync(path, 'a');
  } catch (err) {
    throw openError(path, err);
  }
  try {
    return new BatchingSink(createWriteStream('', { fd, autoClose: true }), true, drops);
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}

/** Sinks shared by path across loggers, with reference counts; owned by one Skiff instance. */
export class AccessLogSinks {
  private readonly open = new Map<string, { sink: AccessLogSink; refs: number }>();

  /** `drops` counts lines any of these sinks dropped. */
  constructor(private readonly drops: DropCounter | null = null) {}

  /** The sink for `path`, opened on first use. Throws SKIFF_ERR_CONFIG for an unwritable path. */
  acquire(path: string): AccessLogSink {
    let e = this.open.get(path);
    if (e === undefined) {
      e = { sink: openAccessLogSink(path, this.drops), refs: 0 };
      this.open.set(path, e);
    }
    e.refs++;
    return e.sink;
  }

  /** Drops one reference; the last one closes the sink. */
  async release(path: string): Promise<void> {
    const e = this.open.get(path);
    if (e === undefined) return;
    if (--e.refs > 0) return;
    this.open.delete(path);
    await e.sink.close();
  }

  async closeAll(): Promise<void> {
    const all = [...this.open.values()];
    this.open.clear();
    await Promise.all(all.map((e) => e.sink.close()));
  }
}
