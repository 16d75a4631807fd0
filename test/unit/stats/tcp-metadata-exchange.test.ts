import t from 'tap';
import { nodeMetadata, peerMetadataHeaders } from '../../../lib/stats/istio/peer-metadata.js';
import { encodeStruct } from '../../../lib/stats/istio/struct-codec.js';
import {
  buildExchangePreamble,
  EXCHANGE_MAGIC,
  type ExchangeResult,
  exchangePreamble,
  MAX_EXCHANGE_PAYLOAD,
  PeerExchangeReader,
} from '../../../lib/stats/istio/tcp-metadata-exchange.js';
import { proxyWorkloadFrom } from '../../../lib/stats/istio/workload-facts.js';

const DB = proxyWorkloadFrom({
  namespace: 'data',
  serviceAccount: 'db',
  name: 'db',
  labels: { app: 'db', version: 'v1' },
  trustDomain: 'cluster.local',
});

const APP = Buffer.from('SELECT 1;\n');

function peerResult(r: ExchangeResult | null) {
  if (r === null || r.kind !== 'peer') throw new Error(`expected a peer result, got ${JSON.stringify(r)}`);
  return r;
}

t.test('round trip: our preamble, then the app bytes in the same chunk', async (t) => {
  const pre = exchangePreamble(DB);
  t.equal(pre.readUInt32BE(0), EXCHANGE_MAGIC);
  t.equal(pre.readUInt32BE(4), pre.length - 8, 'length counts the Any after the header');
  const chunk = Buffer.concat([pre, APP]);
  const r = peerResult(new PeerExchangeReader().push(chunk));
  t.match(r.peer, { workload: 'db', namespace: 'data', app: 'db', version: 'v1', canonicalRevision: 'v1' });
  t.equal(r.peerId, peerMetadataHeaders(DB)[1]);
  t.equal(r.rest.toString(), APP.toString());
  t.equal(r.rest.buffer, chunk.buffer, 'the app bytes are a slice of the chunk, not a copy');
});

t.test('split at every byte boundary (and byte by byte)', async (t) => {
  const whole = Buffer.concat([exchangePreamble(DB), APP]);
  const end = whole.length - APP.length;
  for (let cut = 1; cut < whole.length; cut++) {
    const reader = new PeerExchangeReader();
    const first = reader.push(whole.subarray(0, cut));
    if (cut < end) {
      t.equal(first, null, `incomplete at ${cut}`);
      const r = peerResult(reader.push(whole.subarray(cut)));
      if (r.peer?.workload !== 'db' || !r.rest.equals(APP)) t.fail(`split at ${cut}`);
    } else {
      const r = peerResult(first);
      if (r.peer?.workload !== 'db' || !r.rest.equals(APP.subarray(0, cut - end))) t.fail(`split at ${cut}`);
    }
  }
  const reader = new PeerExchangeReader();
  let r: ExchangeResult | null = null;
  for (let i = 0; i < end && r === null; i++) r = reader.push(whole.subarray(i, i + 1));
  t.equal(peerResult(r).rest.length, 0, 'byte by byte: done at the last preamble byte');
  t.throws(() => reader.push(APP), /already finished/);
});

/** Protobuf length-delimited field: tag, varint length (one or two bytes here), bytes. */
function ld(field: number, bytes: Buffer): Buffer {
  const n = bytes.length;
  if (n >= 1 << 14) throw new Error('keep hand-built fields short');
  const len = n < 128 ? [n] : [(n & 0x7f) | 0x80, n >> 7];
  return Buffer.concat([Buffer.from([(field << 3) | 2, ...len]), bytes]);
}
const str = (s: string) => Buffer.from(s, 'utf8');

t.test('a preamble built by hand from Istio’s format', async (t) => {
  // Struct{fields: map<string, Value>} entry {key=1, value=2}; Value{string_value=3, struct_value=5}.
  const entry = (k: string, value: Buffer) => ld(1, Buffer.concat([ld(1, str(k)), ld(2, value)]));
  const labels = Buffer.concat([entry('app', ld(3, str('cart'))), entry('version', ld(3, str('v3')))]);
  const metadata = Buffer.concat([
    entry('CLUSTER_ID', ld(3, str('east'))),
    entry('LABELS', ld(5, labels)),
    entry('NAMESPACE', ld(3, str('shop'))),
    entry('WORKLOAD_NAME', ld(3, str('cart-v3'))),
  ]);
  const struct = Buffer.concat([
    entry('x-envoy-peer-metadata', ld(5, metadata)),
    entry('x-envoy-peer-metadata-id', ld(3, str('sidecar~10.0.0.7~cart-v3-abc.shop~shop.svc.cluster.local'))),
  ]);
  // Any{type_url=1, value=2}; the value is over 127 bytes, so its length takes a two-byte varint.
  t.ok(struct.length > 127);
  const any = Buffer.concat([ld(1, str('type.googleapis.com/google.protobuf.Struct')), ld(2, struct)]);
  const header = Buffer.from([0x3d, 0x23, 0x04, 0x67, 0, 0, any.length >> 8, any.length & 0xff]);
  const r = peerResult(new PeerExchangeReader().push(Buffer.concat([header, any, APP])));
  t.same(r.peer, {
    workload: 'cart-v3',
    namespace: 'shop',
    app: 'cart',
    version: 'v3',
    canonicalService: 'cart',
    canonicalRevision: 'v3',
    cluster: 'east',
  });
  t.equal(r.peerId, 'sidecar~10.0.0.7~cart-v3-abc.shop~shop.svc.cluster.local');
  t.ok(r.rest.equals(APP));
  t.ok(
    !buildExchangePreamble(nodeMetadata(DB), '').includes(str('x-envoy-peer-metadata-id')),
    'an empty id is left out',
  );
});

t.test('bad magic: pass every byte through, no peer', async (t) => {
  const http = Buffer.from('GET / HTTP/1.1\r\n\r\n');
  const r = new PeerExchangeReader().push(http);
  t.same(r, { kind: 'passthrough', reason: 'bad-magic', data: [http] });
  const split = new PeerExchangeReader();
  t.equal(split.push(http.subarray(0, 3)), null);
  const r2 = split.push(http.subarray(3));
  if (r2?.kind !== 'passthrough') throw new Error('expected passthrough');
  t.equal(Buffer.concat(r2.data).toString(), http.toString(), 'the chunks as received');
});

t.test('oversized length: close', async (t) => {
  const header = Buffer.alloc(8);
  header.writeUInt32BE(EXCHANGE_MAGIC, 0);
  header.writeUInt32BE(MAX_EXCHANGE_PAYLOAD + 1, 4);
  t.same(new PeerExchangeReader().push(header), {
    kind: 'close',
    reason: 'oversize',
    length: MAX_EXCHANGE_PAYLOAD + 1,
  });
  header.writeUInt32BE(100, 4);
  t.match(
    new PeerExchangeReader(64).push(header),
    { kind: 'close', length: 100 },
    'the bound is configurable',
  );
});

t.test('payload that is not an Any, non-Struct Any, early end', async (t) => {
  const junk = Buffer.from([0xff, 0xff, 0xff]);
  const header = Buffer.alloc(8);
  header.writeUInt32BE(EXCHANGE_MAGIC, 0);
  header.writeUInt32BE(junk.length, 4);
  const r = new PeerExchangeReader().push(Buffer.concat([header, junk, APP]));
  if (r?.kind !== 'passthrough') throw new Error('expected passthrough');
  t.equal(r.reason, 'bad-payload');
  t.ok(Buffer.concat(r.data).equals(Buffer.concat([junk, APP])), 'as Istio: only the header is consumed');

  const other = Buffer.concat([ld(1, str('type.googleapis.com/foo.Bar')), ld(2, encodeStruct({ a: 'b' }))]);
  header.writeUInt32BE(other.length, 4);
  const r2 = peerResult(new PeerExchangeReader().push(Buffer.concat([header, other])));
  t.equal(r2.peer, null, 'consumed, but no peer');
  t.equal(r2.rest.length, 0);

  const early = new PeerExchangeReader();
  const part = exchangePreamble(DB).subarray(0, 20);
  t.equal(early.push(part), null);
  t.same(early.end(), { kind: 'passthrough', reason: 'ended', data: [part] });
});
