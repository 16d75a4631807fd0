/**
 * Istio's TCP metadata exchange (`istio-peer-exchange` ALPN, istio/proxy
 * `filters/network/metadata_exchange`): each side prefixes the bytes it sends with a preamble
 * — magic `0x3D230467` and payload length, both uint32 big-endian, then a serialized
 * `google.protobuf.Any` whose `value` is a `Struct` with `x-envoy-peer-metadata` (our node
 * metadata, the Struct the HTTP header carries) and `x-envoy-peer-metadata-id` (node id) — and
 * strips the peer's preamble from the start of the bytes it reads.
 */
import {
  factsFromMetadata,
  nodeMetadata,
  PEER_METADATA,
  PEER_METADATA_ID,
  peerMetadataHeaders,
} from './peer-metadata.js';
import { decodeStruct, encodeStruct, type StructValue } from './struct-codec.js';
import type { ProxyWorkload, WorkloadFacts } from './workload-facts.js';

/** The ALPN under which both sides run the exchange. */
export const PEER_EXCHANGE_ALPN = 'istio-peer-exchange';
export const EXCHANGE_MAGIC = 0x3d230467;
const EXCHANGE_HEADER_BYTES = 8;
/**
 * Largest payload accepted. Istio sets none (it waits for the announced length under the
 * connection's buffer limit); node metadata is a few KiB, so 64 KiB only refuses garbage.
 */
export const MAX_EXCHANGE_PAYLOAD = 64 * 1024;

const STRUCT_TYPE_URL = 'type.googleapis.com/google.protobuf.Struct';

/** What reading the peer's preamble came to (null from `push` = need more bytes). */
export type ExchangeResult =
  /** Preamble read. `peer` is null when it carried no usable metadata; `rest` = app bytes after it. */
  | {
      readonly kind: 'peer';
      readonly peer: WorkloadFacts | null;
      readonly peerId: string | null;
      readonly rest: Buffer;
    }
  /**
   * No valid preamble; as Istio, the connection goes on without peer metadata and `data` (the
   * chunks as received, or what follows a header whose payload is not an Any) is app data.
   */
  | {
      readonly kind: 'passthrough';
      readonly reason: 'bad-magic' | 'bad-payload' | 'ended';
      readonly data: readonly Buffer[];
    }
  /** The announced payload exceeds the bound: close the connection. */
  | { readonly kind: 'close'; readonly reason: 'oversize'; readonly length: number };

// ─── encode ─────────────────────────────────────────────────────────────────────────────

function varintBytes(v: number): number[] {
  const out: number[] = [];
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
  return out;
}

/** The preamble for a node's metadata and id (the id field is left out when empty, as Istio). */
export function buildExchangePreamble(metadata: StructValue, id: string): Buffer {
  const fields: Record<string, StructValue[string]> = { [PEER_METADATA]: metadata };
  if (id !== '') fields[PEER_METADATA_ID] = id;
  const value = encodeStruct(fields);
  const typeUrl = Buffer.from(STRUCT_TYPE_URL, 'utf8');
  const anyHead = Buffer.from([0x0a, ...varintBytes(typeUrl.length)]);
  const valueHead = Buffer.from([0x12, ...varintBytes(value.length)]);
  const size = anyHead.length + typeUrl.length + valueHead.length + value.length;
  const header = Buffer.alloc(EXCHANGE_HEADER_BYTES);
  header.writeUInt32BE(EXCHANGE_MAGIC, 0);
  header.writeUInt32BE(size, 4);
  return Buffer.concat([header, anyHead, typeUrl, valueHead, value]);
}

/** Our preamble: computed once per workload, written as is on every exchange. */
export function exchangePreamble(w: ProxyWorkload): Buffer {
  return buildExchangePreamble(nodeMetadata(w), peerMetadataHeaders(w)[1]);
}

// ─── decode ─────────────────────────────────────────────────────────────────────────────

/** `google.protobuf.Any` fields, or null when the bytes are not a well-formed message. */
function parseAny(buf: Buffer): { typeUrl: string; value: Buffer } | null {
  let pos = 0;
  let typeUrl = '';
  let value: Buffer = Buffer.alloc(0);
  const varint = (): number => {
    let result = 0;
    for (let shift = 0; shift <= 49; shift += 7) {
      if (pos >= buf.length) return -1;
      const b = buf[pos++]!;
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
    }
    return -1;
  };
  while (pos < buf.length) {
    const tag = varint();
    if (tag < 0) return null;
    const wire = tag & 7;
    if (wire === 2) {
      const len = varint();
      if (len < 0 || pos + len > buf.length) return null;
      const field = Math.floor(tag / 8);
      if (field === 1) typeUrl = buf.toString('utf8', pos, pos + len);
      else if (field === 2) value = buf.subarray(pos, pos + len);
      pos += len;
    } else if (wire === 0) {
      if (varint() < 0) return null;
    } else if (wire === 1 || wire === 5) {
      pos += wire === 1 ? 8 : 4;
      if (pos > buf.length) return null;
    } else {
      return null;
    }
  }
  return { typeUrl, value };
}

/** The peer's facts and id from the Any's Struct; nulls when it carries none or is not a Struct. */
function peerOf(value: Buffer, typeUrl: string): { peer: WorkloadFacts | null; peerId: string | null } {
  if (!typeUrl.endsWith('/google.protobuf.Struct')) return { peer: null, peerId: null };
  let s: StructValue;
  try {
    s = decodeStruct(value);
  } catch {
    return { peer: null, peerId: null };
  }
  const md = s[PEER_METADATA];
  const id = s[PEER_METADATA_ID];
  return {
    peer: typeof md === 'object' ? factsFromMetadata(md) : null,
    peerId: typeof id === 'string' ? id : null,
  };
}

/**
 * Reads the peer's preamble from the first chunks of a connection. Feed every chunk to `push`
 * until it returns a result; `end` when the peer half-closes first. Application bytes are
 * never copied: `rest` and `data` are the received chunks or slices of them.
 */
export class PeerExchangeReader {
  private chunks: Buffer[] = [];
  private total = 0;
  private done = false;

  constructor(private readonly maxPayload = MAX_EXCHANGE_PAYLOAD) {}

  /** The result once the preamble is complete or known to be invalid, null while incomplete. */
  push(chunk: Buffer): ExchangeResult | null {
    if (this.done) throw new Error('PeerExchangeReader: the exchange already finished');
    this.chunks.push(chunk);
    this.total += chunk.length;
    if (this.total < EXCHANGE_HEADER_BYTES) return null;
    if (this.u32(0) !== EXCHANGE_MAGIC)
      return this.finish({ kind: 'passthrough', reason: 'bad-magic', data: this.chunks });
    const length = this.u32(4);
    if (length > this.maxPayload) return this.finish({ kind: 'close', reason: 'oversize', length });
    const end = EXCHANGE_HEADER_BYTES + length;
    if (this.total < end) return null;
    const payload = this.range(EXCHANGE_HEADER_BYTES, end);
    const last = this.chunks[this.chunks.length - 1]!;
    // The preamble ended inside the newest chunk (earlier pushes fell short of `end`).
    const rest = last.subarray(last.length - (this.total - end));
    const any = parseAny(payload);
    if (any === null) {
      // Istio drains only the header when the payload is not an Any; the rest goes to the app.
      return this.finish({
        kind: 'passthrough',
        reason: 'bad-payload',
        data: this.from(EXCHANGE_HEADER_BYTES),
      });
    }
    const { peer, peerId } = peerOf(any.value, any.typeUrl);
    return this.finish({ kind: 'peer', peer, peerId, rest });
  }

  /** The peer half-closed before a whole preamble: Istio gives up and passes the bytes on. */
  end(): ExchangeResult {
    if (this.done) throw new Error('PeerExchangeReader: the exchange already finished');
    return this.finish({ kind: 'passthrough', reason: 'ended', data: this.chunks });
  }

  private finish(r: ExchangeResult): ExchangeResult {
    this.done = true;
    this.chunks = [];
    this.total = 0;
    return r;
  }

  private byteAt(i: number): number {
    for (const c of this.chunks) {
      if (i < c.length) return c[i]!;
      i -= c.length;
    }
    throw new RangeError('offset beyond the received bytes');
  }

  private u32(at: number): number {
    const c = this.chunks[0]!;
    if (c.length >= at + 4) return c.readUInt32BE(at);
    return (
      ((this.byteAt(at) << 24) |
        (this.byteAt(at + 1) << 16) |
        (this.byteAt(at + 2) << 8) |
        this.byteAt(at + 3)) >>>
      0
    );
  }

  /** Bytes [start, end) of the stream: a slice when one chunk holds them, else a copy (preamble only). */
  private range(start: number, end: number): Buffer {
    const parts: Buffer[] = [];
    let offset = 0;
    for (const c of this.chunks) {
      const s = Math.max(start - offset, 0);
      const e = Math.min(end - offset, c.length);
      if (s < e) parts.push(c.subarray(s, e));
      offset += c.length;
      if (offset >= end) break;
    }
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  }

  /** The received chunks from stream offset `start` on, as slices. */
  private from(start: number): Buffer[] {
    const out: Buffer[] = [];
    let offset = 0;
    for (const c of this.chunks) {
      const s = Math.max(start - offset, 0);
      if (s < c.length) out.push(s === 0 ? c : c.subarray(s));
      offset += c.length;
    }
    return out;
  }
}
