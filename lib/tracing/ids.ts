import { randomFillSync } from 'node:crypto';

const POOL_BYTES = 4096;
const ZERO_SPAN = '0000000000000000';
const ZERO_TRACE = '00000000000000000000000000000000';

/** Source of trace and span ids (lower-case hex, never all zeros). */
export interface IdSource {
  /** 32 hex digits. */
  traceId(): string;
  /** 16 hex digits. */
  spanId(): string;
}

/**
 * Ids from a pool of random bytes refilled 4 KiB at a time: one `randomFillSync` per ~340 ids
 * instead of a call (and a Buffer) per id, since every request needs one or two even unsampled.
 * `fill` is injectable so tests get reproducible ids.
 */
export class PooledIdSource implements IdSource {
  private readonly pool = Buffer.allocUnsafe(POOL_BYTES);
  private offset = POOL_BYTES;

  constructor(private readonly fill: (buf: Buffer) => void = randomFillSync) {}

  private hex(n: number): string {
    if (this.offset + n > POOL_BYTES) {
      this.fill(this.pool);
      this.offset = 0;
    }
    const o = this.offset;
    this.offset += n;
    return this.pool.toString('hex', o, o + n);
  }

  traceId(): string {
    let id = this.hex(16);
    while (id === ZERO_TRACE) id = this.hex(16);
    return id;
  }

  spanId(): string {
    let id = this.hex(8);
    while (id === ZERO_SPAN) id = this.hex(8);
    return id;
  }
}

/** True for `len` lower-case hex digits that are not all zeros (W3C and B3 ids). */
export function isHexId(s: string, start: number, len: number): boolean {
  if (start + len > s.length) return false;
  let nonZero = false;
  for (let i = start; i < start + len; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (c !== 48) nonZero = true;
    } else if (c >= 97 && c <= 102) nonZero = true;
    else return false;
  }
  return nonZero;
}

/** A 64-bit B3 trace id widened to W3C's 128 bits (left zero padding, as B3 specifies). */
export function widenTraceId(id: string): string {
  return id.length === 32 ? id : `0000000000000000${id}`;
}
