import t from 'tap';
import { analyzeYaml, codes } from './fixtures.js';

function se(name: string, port: number): string {
  return `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: ${name}, namespace: shop}
spec:
  hosts: [${name}.shop.svc.cluster.local]
  ports: [{number: ${port}, name: tcp, protocol: TCP}]
  resolution: STATIC
  endpoints: [{address: 10.0.0.1}]
`;
}

function sidecar(hosts: string, capture = 'NONE', protocol = 'TCP'): string {
  return `apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: app, namespace: shop}
spec:
  egress:
    - port: {number: 6379, protocol: ${protocol}, name: redis}
      captureMode: ${capture}
      hosts: [${hosts}]
`;
}

t.test('SKF0005: a TCP egress listener importing several services on its port', async (t) => {
  const f = codes(
    analyzeYaml([se('cache-a', 6379), se('cache-b', 6379), sidecar('"./*"')].join('---\n')),
    'SKF0005',
  );
  t.equal(f.length, 1);
  t.equal(f[0]!.severity, 'Warning');
  t.equal(f[0]!.resource, 'Sidecar shop/app');
  t.equal(f[0]!.path, 'spec.egress[0].port');
  t.match(
    f[0]!.message,
    /cache-a\.shop\.svc\.cluster\.local \(the oldest ServiceEntry\) is used and cache-b\.shop\.svc\.cluster\.local cannot be reached/,
  );
  t.match(f[0]!.hint, /Narrow spec\.egress\[0\]\.hosts/);
});

t.test('SKF0005 stays quiet for one service, other ports, HTTP ports and captured listeners', async (t) => {
  const two = [se('cache-a', 6379), se('cache-b', 6379)];
  t.same(
    codes(analyzeYaml([...two, sidecar('./cache-a.shop.svc.cluster.local')].join('---\n')), 'SKF0005'),
    [],
  );
  t.same(
    codes(analyzeYaml([se('cache-a', 6379), se('db', 5432), sidecar('"./*"')].join('---\n')), 'SKF0005'),
    [],
  );
  t.same(codes(analyzeYaml([...two, sidecar('"./*"', 'DEFAULT')].join('---\n')), 'SKF0005'), []);
  t.same(codes(analyzeYaml([...two, sidecar('"./*"', 'NONE', 'HTTP')].join('---\n')), 'SKF0005'), []);
});
