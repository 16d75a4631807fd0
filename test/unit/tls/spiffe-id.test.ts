import t from 'tap';
import { formatSpiffeId, parseSpiffeId, trustDomainProblem } from '../../../lib/tls/pki/spiffe-id.js';

t.test('parses Istio workload identities', async (t) => {
  t.same(parseSpiffeId('spiffe://cluster.local/ns/default/sa/web'), {
    trustDomain: 'cluster.local',
    namespace: 'default',
    serviceAccount: 'web',
  });
  t.same(parseSpiffeId('spiffe://example.org/ns/team-a/sa/bookinfo.reviews'), {
    trustDomain: 'example.org',
    namespace: 'team-a',
    serviceAccount: 'bookinfo.reviews',
  });
});

t.test('rejects each malformed form with a reason', async (t) => {
  const cases: Array<[string, RegExp]> = [
    ['', /must start with spiffe:\/\//],
    ['http://cluster.local/ns/a/sa/b', /must start with spiffe:\/\//],
    ['SPIFFE://cluster.local/ns/a/sa/b', /must start with spiffe:\/\//],
    ['spiffe://cluster.local', /has no path/],
    ['spiffe:///ns/a/sa/b', /trust domain is empty/],
    ['spiffe://Cluster.Local/ns/a/sa/b', /lower-case/],
    ['spiffe://cluster.local:8080/ns/a/sa/b', /lower-case/],
    ['spiffe://cluster.local/ns/a', /not an Istio workload identity/],
    ['spiffe://cluster.local/ns/a/sa/b/extra', /not an Istio workload identity/],
    ['spiffe://cluster.local/sa/b/ns/a', /not an Istio workload identity/],
    ['spiffe://cluster.local/ns//sa/b', /namespace "" is not a valid name/],
    ['spiffe://cluster.local/ns/a/sa/', /service account "" is not a valid name/],
    ['spiffe://cluster.local/ns/a b/sa/c', /namespace "a b"/],
    ['spiffe://cluster.local/ns/a/sa/%2e%2e', /service account/],
    ['spiffe://cluster.local/ns/../sa/b', /namespace/],
  ];
  for (const [uri, reason] of cases) {
    const r = parseSpiffeId(uri);
    t.type(r, 'string', uri);
    t.match(r, reason, uri);
  }
});

t.test('format round-trips and refuses bad parts', async (t) => {
  const id = { trustDomain: 'cluster.local', namespace: 'ns1', serviceAccount: 'sa1' };
  const uri = formatSpiffeId(id);
  t.equal(uri, 'spiffe://cluster.local/ns/ns1/sa/sa1');
  t.same(parseSpiffeId(uri), id);
  t.throws(() => formatSpiffeId({ ...id, namespace: 'a/sa/b' }), /not an Istio workload identity/);
  t.throws(() => formatSpiffeId({ ...id, trustDomain: '' }), /empty/);
});

t.test('trust domain checks', async (t) => {
  t.equal(trustDomainProblem('cluster.local'), null);
  t.match(trustDomainProblem(''), /empty/);
  t.match(trustDomainProblem('a'.repeat(256)), /255/);
  t.match(trustDomainProblem('-bad'), /lower-case/);
});
