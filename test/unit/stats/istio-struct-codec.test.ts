import t from 'tap';
import {
  decodePeerMetadata,
  nodeMetadata,
  PeerMetadataCache,
  peerMetadataHeaders,
} from '../../../lib/stats/istio/peer-metadata.js';
import { decodeStruct, encodeStruct, StructDecodeError } from '../../../lib/stats/istio/struct-codec.js';
import { proxyWorkloadFrom } from '../../../lib/stats/istio/workload-facts.js';

t.test('encodes the protobuf wire format byte for byte', async (t) => {
  // Struct{fields: {"A": Value{string_value: "b"}}}: entry {1: "A", 2: {3: "b"}}.
  t.equal(encodeStruct({ A: 'b' }).toString('hex'), '0a080a014112031a0162');
  // bool_value (field 4, varint) and a nested struct_value (field 5).
  t.equal(encodeStruct({ B: true }).toString('hex'), '0a070a014212022001');
  t.equal(encodeStruct({ S: { k: 'v' } }).toString('hex'), '0a110a0153120c2a0a0a080a016b12031a0176');
});

t.test('round-trips strings, numbers, bools and nested structs', async (t) => {
  const v = { NAME: 'web-1', NUM: 2.5, OK: false, LABELS: { app: 'web', 'x/y': 'ü' } };
  t.same(decodeStruct(encodeStruct(v)), v);
  const long = 'x'.repeat(300);
  t.same(decodeStruct(encodeStruct({ long })), { long }, 'multi-byte length varints');
});

t.test('skips lists, nulls and unknown fields', async (t) => {
  // entry {1:"L", 2: Value{list_value(6): {}}}, then entry {1:"N", 2: Value{null_value(1): 0}},
  // then an unknown varint field 7 at top level, then {"A":"b"}.
  const hex = '0a070a014c12023200' + '0a070a014e12020800' + '3801' + '0a080a014112031a0162';
  t.same(decodeStruct(Buffer.from(hex, 'hex')), { A: 'b' });
});

t.test('malformed input throws StructDecodeError', async (t) => {
  t.throws(() => decodeStruct(Buffer.from('0a08', 'hex')), StructDecodeError, 'truncated');
  t.throws(() => decodeStruct(Buffer.from('0aff', 'hex')), StructDecodeError, 'bad varint');
  t.throws(() => decodeStruct(Buffer.from('0b', 'hex')), StructDecodeError, 'wire type 3');
  let deep: Record<string, unknown> = { x: 'y' };
  for (let i = 0; i < 12; i++) deep = { d: deep };
  t.throws(() => decodeStruct(encodeStruct(deep as never)), StructDecodeError, 'nesting bound');
});

t.test('peer metadata carries the workload facts both ways', async (t) => {
  const w = proxyWorkloadFrom(
    {
      namespace: 'shop',
      serviceAccount: 'cart',
      name: 'cart',
      labels: { app: 'cart', version: 'v2', 'service.istio.io/canonical-name': 'cart-svc' },
      trustDomain: 'cluster.local',
    },
    'east',
  );
  t.match(nodeMetadata(w), {
    NAME: 'cart',
    WORKLOAD_NAME: 'cart',
    NAMESPACE: 'shop',
    CLUSTER_ID: 'east',
    SERVICE_ACCOUNT: 'cart',
    LABELS: { app: 'cart', 'service.istio.io/canonical-revision': 'v2' },
  });
  const [value, id] = peerMetadataHeaders(w);
  t.equal(id, 'sidecar~0.0.0.0~cart.shop~shop.svc.cluster.local');
  t.same(decodePeerMetadata(value), {
    workload: 'cart',
    namespace: 'shop',
    app: 'cart',
    version: 'v2',
    canonicalService: 'cart-svc',
    canonicalRevision: 'v2',
    cluster: 'east',
  });
  t.equal(decodePeerMetadata('!!!notbase64'), null);
  t.same(decodePeerMetadata(encodeStruct({ NAMESPACE: 'x' }).toString('base64')), {
    workload: 'unknown',
    namespace: 'x',
    app: 'unknown',
    version: 'unknown',
    canonicalService: 'unknown',
    canonicalRevision: 'latest',
    cluster: 'unknown',
  });
});

t.test('the decode cache answers repeats with the same object and stays bounded', async (t) => {
  const cache = new PeerMetadataCache(2);
  const a = encodeStruct({ NAMESPACE: 'a' }).toString('base64');
  t.equal(cache.get(a), cache.get(a));
  cache.get(encodeStruct({ NAMESPACE: 'b' }).toString('base64'));
  cache.get(encodeStruct({ NAMESPACE: 'c' }).toString('base64'));
  t.equal(cache.get(a)?.namespace, 'a');
});
