import t from 'tap';
import { issuesOf, one } from './istio-fixtures.js';

t.test('ServiceEntry defaults', async (t) => {
  const se = one('ServiceEntry', '  hosts: [api.example.com]\n');
  t.same(se.spec, {
    hosts: ['api.example.com'],
    addresses: [],
    ports: [],
    location: 'MESH_EXTERNAL',
    resolution: 'NONE',
    endpoints: [],
    workloadSelector: null,
    exportTo: [],
    subjectAltNames: [],
  });
});

t.test('a full ServiceEntry', async (t) => {
  const se = one(
    'ServiceEntry',
    `  hosts: [db.internal]
  addresses: [10.1.2.3]
  ports:
  - {number: 5432, protocol: TCP, name: tcp-pg, targetPort: 15432}
  location: MESH_INTERNAL
  resolution: STATIC
  endpoints:
  - address: 10.0.0.1
    ports: {tcp-pg: 6432}
    labels: {version: v1}
    network: n1
    locality: us-west/zone1
    weight: 3
    serviceAccount: db
  - address: 10.0.0.2
  exportTo: ["~"]
  subjectAltNames: [spiffe://cluster.local/ns/db/sa/db]
`,
  );
  t.same(se.spec.ports, [{ number: 5432, protocol: 'TCP', name: 'tcp-pg', targetPort: 15432 }]);
  t.same(se.spec.endpoints[0], {
    address: '10.0.0.1',
    ports: { 'tcp-pg': 6432 },
    labels: { version: 'v1' },
    network: 'n1',
    locality: 'us-west/zone1',
    weight: 3,
    serviceAccount: 'db',
  });
  t.equal(se.spec.endpoints[1]!.weight, 0);
  t.equal(se.spec.resolution, 'STATIC');
});

t.test('WorkloadEntry', async (t) => {
  const we = one('WorkloadEntry', '  address: vm1.example.com\n  ports: {http: 8080}\n  labels: {app: vm}\n');
  t.same(we.spec, {
    address: 'vm1.example.com',
    ports: { http: 8080 },
    labels: { app: 'vm' },
    network: '',
    locality: '',
    weight: 0,
    serviceAccount: '',
  });
});

t.test('bad input: one issue per problem, with the field path', async (t) => {
  const se: [string, string, string[]][] = [
    ['no hosts', '  ports: []\n', ['spec: a ServiceEntry needs at least one host']],
    ['wildcard host', '  hosts: ["*"]\n', ['spec.hosts: invalid host "*"']],
    [
      'bad address',
      '  hosts: [a.b]\n  addresses: [10.0.0.300]\n',
      ['spec.addresses: invalid IP or CIDR "10.0.0.300"'],
    ],
    [
      'port without name',
      '  hosts: [a.b]\n  ports: [{number: 80, protocol: HTTP}]\n',
      ['spec.ports[0]: missing required field "name"'],
    ],
    [
      'unknown protocol',
      '  hosts: [a.b]\n  ports: [{number: 80, protocol: SPDY, name: web}]\n',
      ['spec.ports[0].protocol: unsupported protocol "SPDY"'],
    ],
    [
      'port twice',
      '  hosts: [a.b]\n  ports: [{number: 80, name: a}, {number: 80, name: b}]\n',
      ['spec.ports: port 80 is defined twice'],
    ],
    [
      'resolution',
      '  hosts: [a.b]\n  resolution: DNS_FAST\n',
      ['spec.resolution: unknown value "DNS_FAST"; expected one of NONE, STATIC, DNS, DNS_ROUND_ROBIN'],
    ],
    [
      'STATIC endpoint hostname',
      '  hosts: [a.b]\n  resolution: STATIC\n  endpoints: [{address: db.example.com}]\n',
      ['spec.endpoints[0].address: "db.example.com" is not a valid IP address'],
    ],
    [
      'NONE with endpoints',
      '  hosts: [a.b]\n  endpoints: [{address: 10.0.0.1}]\n',
      ['spec.endpoints: resolution NONE takes no endpoints'],
    ],
    [
      'DNS wildcard host without endpoints',
      '  hosts: ["*.b.c"]\n  resolution: DNS\n',
      ['spec.hosts: hosts must be FQDNs when resolution DNS has no endpoints ("*.b.c")'],
    ],
    [
      'DNS_ROUND_ROBIN with two endpoints',
      '  hosts: [a.b]\n  resolution: DNS_ROUND_ROBIN\n  endpoints: [{address: x.y}, {address: z.y}]\n',
      ['spec.endpoints: resolution DNS_ROUND_ROBIN takes at most one endpoint'],
    ],
    [
      'endpoint port not in ports',
      '  hosts: [a.b]\n  ports: [{number: 80, name: http}]\n  resolution: STATIC\n  endpoints: [{address: 10.0.0.1, ports: {grpc: 81}}]\n',
      ['spec.endpoints[0].ports.grpc: port "grpc" is not defined by the ServiceEntry'],
    ],
    [
      'selector and endpoints',
      '  hosts: [a.b]\n  resolution: STATIC\n  workloadSelector: {labels: {app: a}}\n  endpoints: [{address: 10.0.0.1}]\n',
      ['spec: only one of workloadSelector and endpoints may be set'],
    ],
    [
      'CIDR with DNS',
      '  hosts: [a.b]\n  addresses: [10.0.0.0/8]\n  resolution: DNS\n',
      ['spec.addresses: CIDR addresses are allowed only with resolution NONE or STATIC'],
    ],
    [
      'several hosts over TCP',
      '  hosts: [a.b, c.d]\n  ports: [{number: 5432, name: pg, protocol: TCP}]\n  resolution: DNS\n',
      [
        'spec.hosts: several hosts need HTTP or TLS ports (plain TCP cannot tell them apart) unless resolution is NONE',
      ],
    ],
    [
      'exportTo ~ mixed',
      '  hosts: [a.b]\n  exportTo: ["~", "."]\n',
      ['spec.exportTo: cannot mix "~" (no one) with other entries'],
    ],
  ];
  for (const [name, body, expected] of se) t.same(issuesOf('ServiceEntry', body), expected, name);
  const we: [string, string, string[]][] = [
    ['no address', '  labels: {a: b}\n', ['spec: missing required field "address"']],
    ['bad address', '  address: "a b"\n', ['spec.address: "a b" is not a valid IP address or FQDN']],
    [
      'bad port',
      '  address: 10.0.0.1\n  ports: {http: 0}\n',
      ['spec.ports.http: 0 is out of range; must be 1–65535'],
    ],
    [
      'bad port name',
      '  address: 10.0.0.1\n  ports: {HTTP_1: 80}\n',
      ['spec.ports.HTTP_1: invalid port name "HTTP_1"'],
    ],
    [
      'unix with ports',
      '  address: unix:///var/run/a.sock\n  ports: {http: 80}\n',
      ['spec.ports: a unix endpoint must not have ports'],
    ],
    [
      'bad label',
      '  address: 10.0.0.1\n  labels: {"a/b/c": x}\n',
      ['spec.labels.a/b/c: invalid label key "a/b/c"'],
    ],
  ];
  for (const [name, body, expected] of we) t.same(issuesOf('WorkloadEntry', body), expected, name);
});
