import { closeSync, createWriteStream, openSync } from 'node:fs';
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

/** One flush per event-loop turn, or earlier once this much is pending (64 KiB). */
const FLUSH_BYTES = 64 * 1024;
/** While the destination is not draining, keep at most this much (4 MiB), then drop lines. */
const MAX_PENDING_BYTES = 4 * 1024 * 1024;

/** Batches lines into one write per turn and bounds memory when the destination is slow. */
class BatchingSink implements AccessLogSink {
  dropped = 0;
  private pending: string[] = [];
  private pendingBytes = 0;
  private scheduled = false;
  private blocked = false;
  private failed = false;
  private closing: Promise<void> | null = null;

  constructor(
    private readonly out: Writable,
    private readonly owned: boolean,
  ) {
    out.on('drain', this.onDrain);
    out.on('error', this.onError);
  }

  write(line: string): void {
    if (this.failed || this.closing !== null) {
      this.dropped++;
      return;
    }
    // String length undercounts multi-byte text; the bound is a guard, not an exact quota.
    if (this.blocked && this.pendingBytes + line.length > MAX_PENDING_BYTES) {
      this.dropped++;
      return;
    }
    this.pending.push(line);
    this.pendingBytes += line.length;
    if (this.blocked) return;
    if (this.pendingBytes >= FLUSH_BYTES) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.onImmediate);
    }
  }

  close(): Promise<void> {
    if (this.closing === null) this.closing = this.finish();
    return this.closing;
  }

  private async finish(): Promise<void> {
    if (!this.failed && this.blocked) await this.waitDrain();
    if (!this.failed) this.flush();
    this.out.off('drain', this.onDrain);
    if (this.owned) {
      await new Promise<void>((resolve) => {
        if (this.out.destroyed) return resolve();
        this.out.end(() => resolve());
        this.out.once('error', () => resolve());
      });
    } else if (this.out.writableNeedDrain && !this.failed) {
      await this.waitDrain();
    }
    this.out.off('error', this.onError);
  }

  private waitDrain(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.out.off('drain', done);
        this.out.off('error', done);
        resolve();
      };
      this.out.once('drain', done);
      this.out.once('error', done);
    });
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    const chunk = this.pending.length === 1 ? this.pending[0]! : this.pending.join('');
    this.pending = [];
    this.pendingBytes = 0;
    if (!this.out.write(chunk)) this.blocked = true;
  }

  private readonly onImmediate = (): void => {
    this.scheduled = false;
    if (!this.blocked && !this.failed) this.flush();
  };

  private readonly onDrain = (): void => {
    this.blocked = false;
    if (this.closing === null) this.flush();
  };

  private readonly onError = (): void => {
    this.failed = true;
    this.dropped += this.pending.length;
    this.pending = [];
    this.pendingBytes = 0;
  };
}

/** A batching sink over any writable; `owned` streams are ended by close(). */
export function sinkForStream(out: Writable, owned: boolean): AccessLogSink {
  return new BatchingSink(out, owned);
}

/**
 * Opens a sink. `/dev/stdout` and `/dev/stderr` use the process streams; any other path is
 * opened for append (created if absent) synchronously, so a bad path throws here, at config
 * time, instead of surfacing later as a stream error.
 */
export function openAccessLogSink(path: string): AccessLogSink {
  if (path === '/dev/stdout') return new BatchingSink(process.stdout, false);
  if (path === '/dev/stderr') return new BatchingSink(process.stderr, false);
  let fd: number;
  try {
    fd = openSync(path, 'a');
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new SkiffError('SKIFF_ERR_CONFIG', `cannot open access log file ${path}: ${reason}`, {
      cause: err,
    });
  }
  try {
    return new BatchingSink(createWriteStream('', { fd, autoClose: true }), true);
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}

/** Sinks shared by path across loggers, with reference counts; owned by one Skiff instance. */
export class AccessLogSinks {
  private readonly open = new Map<string, { sink: AccessLogSink; refs: number }>();

  /** The sink for `path`, opened on first use. Throws SKIFF_ERR_CONFIG for an unwritable path. */
  acquire(path: string): AccessLogSink {
    let e = this.open.get(path);
    if (e === undefined) {
      e = { sink: openAccessLogSink(path), refs: 0 };
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
