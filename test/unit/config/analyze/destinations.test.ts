import t from 'tap';
import { analyzeYaml, codes, docs, serviceEntry } from './fixtures.js';

const SE = serviceEntry({
  name: 'reviews',
  hosts: ['reviews.production.svc.cluster.local'],
  endpoints: [{ address: '10.0.0.1', labels: { version: 'v1' } }],
});
const DR = `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: production}
spec:
  host: reviews
  subsets:
    - {name: v1, labels: {version: v1}}
`;

function vs(route: string, extra = ''): string {
  return `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: production}
spec:
  hosts: [reviews]
${extra}  http:
    - route:
${route}
`;
}

t.test(
  'IST0101 host: a destination outside the registry; a short name resolves in the VS namespace',
  async (t) => {
    const bad = codes(analyzeYaml(docs(SE, vs('        - destination: {host: ratings}'))), 'IST0101');
    t.equal(bad.length, 1);
    t.equal(bad[0]!.severity, 'Error');
    t.equal(bad[0]!.resource, 'VirtualService production/reviews');
    t.equal(bad[0]!.file, 'a.yaml#2');
    t.equal(bad[0]!.path, 'spec.http[0].route[0].destination.host');
    t.equal(bad[0]!.message, 'Referenced host not found: "ratings"');
    t.match(bad[0]!.hint, /ServiceEntry.*ratings\.production\.svc\.cluster\.local/);
    t.same(codes(analyzeYaml(docs(SE, vs('        - destination: {host: reviews}'))), 'IST0101'), []);
  },
);

t.test('IST0101 mirror host and host:port', async (t) => {
  const f = analyzeYaml(
    docs(
      SE,
      vs(
        '        - destination: {host: reviews, port: {number: 9080}}\n      mirror: {host: shadow.example.com}',
      ),
    ),
  );
  t.same(
    codes(f, 'IST0101').map((x) => [x.path, x.message]),
    [
      ['spec.http[0].mirror.host', 'Referenced mirror host not found: "shadow.example.com"'],
      ['spec.http[0].route[0].destination.port.number', 'Referenced host:port not found: "reviews:9080"'],
    ],
  );
  const ok = analyzeYaml(
    docs(SE, vs('        - destination: {host: reviews, port: {number: 80}}\n      mirror: {host: reviews}')),
  );
  t.same(codes(ok, 'IST0101'), []);
});

t.test('IST0101 host+subset: the subset must be defined by a DestinationRule for the host', async (t) => {
  const f = codes(
    analyzeYaml(docs(SE, DR, vs('        - destination: {host: reviews, subset: v2}'))),
    'IST0101',
  );
  t.equal(f.length, 1);
  t.equal(f[0]!.path, 'spec.http[0].route[0].destination.subset');
  t.equal(f[0]!.message, 'Referenced host+subset in destinationrule not found: "reviews+v2"');
  t.match(f[0]!.hint, /Add subset v2 to DestinationRule production\/reviews \(it defines v1\)/);
  const noDr = codes(
    analyzeYaml(docs(SE, vs('        - destination: {host: reviews, subset: v1}'))),
    'IST0101',
  );
  t.match(noDr[0]!.hint, /Add a DestinationRule for host reviews\.production\.svc\.cluster\.local/);
  t.same(
    codes(analyzeYaml(docs(SE, DR, vs('        - destination: {host: reviews, subset: v1}'))), 'IST0101'),
    [],
  );
});

t.test('IST0101 gateway: Skiff serves only mesh', async (t) => {
  const f = codes(
    analyzeYaml(
      docs(SE, vs('        - destination: {host: reviews}', '  gateways: [mesh, istio-system/ingress]\n')),
    ),
    'IST0101',
  );
  t.equal(f.length, 1);
  t.equal(f[0]!.path, 'spec.gateways[1]');
  t.match(
    f[0]!.message,
    /^Referenced gateway not found: "istio-system\/ingress" \(Skiff serves only the mesh gateway/,
  );
  const only = codes(
    analyzeYaml(
      docs(SE, vs('        - destination: {host: reviews}', '  gateways: [istio-system/ingress]\n')),
    ),
    'IST0101',
  );
  t.match(only[0]!.hint, /Add "mesh"/);
  t.same(
    codes(
      analyzeYaml(docs(SE, vs('        - destination: {host: reviews}', '  gateways: [mesh]\n'))),
      'IST0101',
    ),
    [],
  );
});

t.test('IST0112: a multi-port service needs a destination port', async (t) => {
  const multi = serviceEntry({ name: 'api', hosts: ['api.example.com'], ports: [80, 443] });
  const f = codes(analyzeYaml(docs(multi, vs('        - destination: {host: api.example.com}'))), 'IST0112');
  t.equal(f.length, 1);
  t.equal(f[0]!.severity, 'Error');
  t.equal(
    f[0]!.message,
    'This VirtualService routes to a service "api.example.com" that exposes multiple ports [80 443]. Specifying a port in the destination is required to disambiguate.',
  );
  t.same(
    codes(
      analyzeYaml(docs(multi, vs('        - destination: {host: api.example.com, port: {number: 443}}'))),
      'IST0112',
    ),
    [],
  );
});
