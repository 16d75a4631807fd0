import t from 'tap';
import {
  buildOutboundCluster,
  routeHashPolicy,
  usesConsistentHash,
} from '../../../../../lib/config/istio/translate/cluster-policy.js';
import { DestinationRuleIndex } from '../../../../../lib/config/istio/translate/destination-rules.js';
import { clusterSpec, dr, rules, sink, workload } from './dr-fixtures.js';

const HOST = 'h.example.com';

function ruleOf(body: string) {
  return DestinationRuleIndex.build(
    rules(dr('r', 'default', `  host: ${HOST}\n${body}`)),
    workload('default'),
  ).forHost(HOST);
}

function lbOf(consistentHash: string) {
  const s = sink();
  const rule = ruleOf(`  trafficPolicy: {loadBalancer: {consistentHash: ${consistentHash}}}\n`);
  return { c: buildOutboundCluster(clusterSpec(HOST, 80), rule, s), s, rule };
}

t.test('consistentHash picks RING_HASH or MAGLEV with their sizes', async (t) => {
  const ring = lbOf('{httpHeaderName: x-user}').c;
  t.equal(ring.lbPolicy, 'RING_HASH');
  t.equal(ring.ringHash.minimumRingSize, 1024, 'no algorithm: Envoy default ring');
  const sized = lbOf('{httpHeaderName: x-user, ringHash: {minimumRingSize: 4096}}').c;
  t.equal(sized.lbPolicy, 'RING_HASH');
  t.same(sized.ringHash, { minimumRingSize: 4096, maximumRingSize: 8_388_608 });
  const legacy = lbOf('{httpHeaderName: x-user, minimumRingSize: 2048}');
  t.equal(legacy.c.ringHash.minimumRingSize, 2048, 'the deprecated field still sizes the ring');
  const maglev = lbOf('{useSourceIp: true, maglev: {tableSize: 131}}').c;
  t.equal(maglev.lbPolicy, 'MAGLEV');
  t.equal(maglev.maglevTableSize, 131);
});

t.test('a ring larger than Envoy allows is an error at its path', async (t) => {
  const { s } = lbOf('{httpHeaderName: x-user, ringHash: {minimumRingSize: 9000000}}');
  t.same(
    s.issues.map((i) => [i.file, i.path]),
    [['dr.yaml', 'spec.trafficPolicy.loadBalancer.consistentHash.ringHash.minimumRingSize']],
  );
  t.match(s.issues[0]?.message, /9000000 exceeds Envoy's maximum ring size 8388608/);
});

t.test('the route hash policy for each hash key', async (t) => {
  t.same(routeHashPolicy(lbOf('{httpHeaderName: X-User}').rule, '', 80), [
    { kind: 'header', headerName: 'x-user', regexRewrite: null, terminal: false },
  ]);
  t.same(routeHashPolicy(lbOf('{httpCookie: {name: sid, path: /app, ttl: 90.5s}}').rule, '', 80), [
    { kind: 'cookie', name: 'sid', ttlSeconds: 90, path: '/app', attributes: [], terminal: false },
  ]);
  t.same(
    routeHashPolicy(lbOf('{httpCookie: {name: sid, ttl: 0s}}').rule, '', 80),
    [{ kind: 'cookie', name: 'sid', ttlSeconds: 0, path: '', attributes: [], terminal: false }],
    'ttl 0s: a session cookie is generated',
  );
  t.same(
    routeHashPolicy(lbOf('{httpCookie: {name: sid}}').rule, '', 80),
    [{ kind: 'cookie', name: 'sid', ttlSeconds: null, path: '', attributes: [], terminal: false }],
    'no ttl: the cookie is never generated',
  );
  t.same(routeHashPolicy(lbOf('{useSourceIp: true}').rule, '', 80), [{ kind: 'source_ip', terminal: false }]);
  t.same(routeHashPolicy(lbOf('{httpQueryParameterName: u}').rule, '', 80), [
    { kind: 'query_parameter', name: 'u', terminal: false },
  ]);
});

t.test('hashing follows the subset and port policy', async (t) => {
  const rule = ruleOf(`  trafficPolicy:
    loadBalancer: {simple: ROUND_ROBIN}
    portLevelSettings:
    - port: {number: 81}
      loadBalancer: {consistentHash: {httpHeaderName: x-port}}
  subsets:
  - name: sticky
    labels: {v: s}
    trafficPolicy: {loadBalancer: {consistentHash: {useSourceIp: true}}}
  - name: plain
    labels: {v: p}
`);
  t.equal(routeHashPolicy(rule, '', 80), undefined);
  t.equal(usesConsistentHash(rule, '', 80), false);
  t.equal(usesConsistentHash(rule, 'plain', 80), false);
  t.same(routeHashPolicy(rule, 'sticky', 80), [{ kind: 'source_ip', terminal: false }]);
  t.equal(usesConsistentHash(rule, 'sticky', 80), true);
  t.same(routeHashPolicy(rule, '', 81), [
    { kind: 'header', headerName: 'x-port', regexRewrite: null, terminal: false },
  ]);
  t.same(
    routeHashPolicy(rule, 'plain', 81),
    [{ kind: 'header', headerName: 'x-port', regexRewrite: null, terminal: false }],
    'a subset without policy inherits the port-level one',
  );
  t.same(routeHashPolicy(rule, 'sticky', 81), [{ kind: 'source_ip', terminal: false }], 'the subset wins');
  t.equal(routeHashPolicy(null, '', 80), undefined);
  t.equal(usesConsistentHash(null, 'x', 80), false);
  const s = sink();
  t.equal(buildOutboundCluster(clusterSpec(HOST, 81, 'sticky'), rule, s).lbPolicy, 'RING_HASH');
  t.equal(buildOutboundCluster(clusterSpec(HOST, 80, 'plain'), rule, s).lbPolicy, 'ROUND_ROBIN');
});
