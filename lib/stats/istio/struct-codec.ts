/**
 * A hand-written codec for the subset of `google.protobuf.Struct` Istio's peer metadata uses:
 * string, number and bool values and nested Structs (the `LABELS` map). Lists and nulls are
 * skipped on decode and never written. Wire format: Struct{map<string,Value> fields = 1};
 * map entry {string key = 1; Value value = 2}; Value{null 1, number 2, string 3, bool 4,
 * struct 5, list 6}.
 */

/** A decoded Struct: scalar fields, nested Structs as objects. */
export interface StructValue {
  readonly [key: string]: string | number | boolean | StructValue;
}

// ─── encode ─────────────────────────────────────────────────────────────────────────────

function varint(out: number[], v: number): void {
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
}

function lengthDelimited(out: number[], field: number, bytes: readonly number[] | Uint8Array): void {
  out.push((field << 3) | 2);
  varint(out, bytes.length);
  for (const b of bytes) out.push(b);
}

function encodeValue(v: string | number | boolean | StructValue): number[] {
  const out: number[] = [];
  if (typeof v === 'string') lengthDelimited(out, 3, Buffer.from(v, 'utf8'));
  else if (typeof v === 'boolean') out.push(4 << 3, v ? 1 : 0);
  else if (typeof v === 'number') {
    const b = Buffer.alloc(8);
    b.writeDoubleLE(v);
    out.push((2 << 3) | 1, ...b);
  } else lengthDelimited(out, 5, encodeStructBytes(v));
  return out;
}

function encodeStructBytes(s: StructValue): number[] {
  const out: number[] = [];
  // Sorted keys: the header is computed once, and a stable encoding is easier to compare.
  for (const key of Object.keys(s).sort()) {
    const entry: number[] = [];
    lengthDelimited(entry, 1, Buffer.from(key, 'utf8'));
    lengthDelimited(entry, 2, encodeValue(s[key]!));
    lengthDelimited(out, 1, entry);
  }
  return out;
}

/** Serializes `s` as a protobuf Struct. */
export function encodeStruct(s: StructValue): Buffer {
  return Buffer.from(encodeStructBytes(s));
}

// ─── decode ─────────────────────────────────────────────────────────────────────────────

/** Thrown on malformed input; callers treat the metadata as absent. */
export class StructDecodeError extends Error {
  override readonly name = 'StructDecodeError';
}

class Reader {
  pos: number;
  constructor(
    readonly buf: Buffer,
    start: number,
    readonly end: number,
  ) {
    this.pos = start;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  varint(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      if (this.pos >= this.end || shift > 49) throw new StructDecodeError('bad varint');
      const b = this.buf[this.pos++]!;
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
      shift += 7;
    }
  }

  /** The bounds of a length-delimited field's payload; advances past it. */
  slice(): [number, number] {
    const len = this.varint();
    const start = this.pos;
    if (start + len > this.end) throw new StructDecodeError('truncated field');
    this.pos = start + len;
    return [start, start + len];
  }

  skip(wireType: number): void {
    if (wireType === 0) this.varint();
    else if (wireType === 1) this.pos += 8;
    else if (wireType === 2) this.slice();
    else if (wireType === 5) this.pos += 4;
    else throw new StructDecodeError(`unsupported wire type ${wireType}`);
    if (this.pos > this.end) throw new StructDecodeError('truncated field');
  }
}

function decodeValue(buf: Buffer, start: number, end: number, depth: number): StructValue[string] | null {
  const r = new Reader(buf, start, end);
  let value: StructValue[string] | null = null;
  while (!r.done) {
    const tag = r.varint();
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    if (field === 3 && wire === 2) {
      const [s, e] = r.slice();
      value = buf.toString('utf8', s, e);
    } else if (field === 2 && wire === 1) {
      if (r.pos + 8 > end) throw new StructDecodeError('truncated double');
      value = buf.readDoubleLE(r.pos);
      r.pos += 8;
    } else if (field === 4 && wire === 0) {
      value = r.varint() !== 0;
    } else if (field === 5 && wire === 2) {
      const [s, e] = r.slice();
      value = decodeStructRange(buf, s, e, depth + 1);
    } else {
      r.skip(wire);
    }
  }
  return value;
}

function decodeStructRange(buf: Buffer, start: number, end: number, depth: number): StructValue {
  if (depth > 8) throw new StructDecodeError('nested too deep');
  const out: Record<string, StructValue[string]> = {};
  const r = new Reader(buf, start, end);
  while (!r.done) {
    const tag = r.varint();
    if (tag !== ((1 << 3) | 2)) {
      r.skip(tag & 7);
      continue;
    }
    const [es, ee] = r.slice();
    const entry = new Reader(buf, es, ee);
    let key: string | null = null;
    let value: StructValue[string] | null = null;
    while (!entry.done) {
      const t = entry.varint();
      if (t === ((1 << 3) | 2)) {
        const [s, e] = entry.slice();
        key = buf.toString('utf8', s, e);
      } else if (t === ((2 << 3) | 2)) {
        const [s, e] = entry.slice();
        value = decodeValue(buf, s, e, depth);
      } else {
        entry.skip(t & 7);
      }
    }
    if (key !== null && value !== null) out[key] = value;
  }
  return out;
}

/** Parses a serialized Struct; throws StructDecodeError on malformed input. */
export function decodeStruct(buf: Buffer): StructValue {
  return decodeStructRange(buf, 0, buf.length, 0);
}
