import t from 'tap';
import { issuesOf, one } from './istio-fixtures.js';

t.test('Sidecar defaults', async (t) => {
  const sc = one('Sidecar', '  egress: [{hosts: ["./*"]}]\n');
  t.same(sc.spec, {
    workloadSelector: null,
    ingress: [],
    egress: [{ port: null, bind: '', captureMode: 'DEFAULT', hosts: ['./*'] }],
    outboundTrafficPolicy: null,
  });
  t.same(one('Sidecar', '  outboundTrafficPolicy: {}\n').spec.outboundTrafficPolicy, {
    mode: 'REGISTRY_ONLY',
  });
});

t.test('a full Sidecar', async (t) => {
  const sc = one(
    'Sidecar',
    `  workloadSelector: {labels: {app: ratings}}
  ingress:
  - port: {number: 9080, protocol: HTTP, name: http}
    defaultEndpoint: 127.0.0.1:8080
    captureMode: IPTABLES
    bind: 0.0.0.0
  egress:
  - port: {number: 9080, protocol: HTTP, name: egresshttp}
    hosts: [prod-us1/*]
  - hosts: ["istio-system/*", "./*"]
  outboundTrafficPolicy: {mode: ALLOW_ANY}
`,
  );
  t.same(sc.spec.ingress, [
    {
      port: { number: 9080, protocol: 'HTTP', name: 'http' },
      bind: '0.0.0.0',
      captureMode: 'IPTABLES',
      defaultEndpoint: '127.0.0.1:8080',
    },
  ]);
  t.same(sc.spec.egress[0]!.port, { number: 9080, protocol: 'HTTP', name: 'egresshttp' });
  t.same(sc.spec.egress[1]!.hosts, ['istio-system/*', './*']);
  t.same(sc.spec.outboundTrafficPolicy, { mode: 'ALLOW_ANY' });
  t.same(sc.spec.workloadSelector, { labels: { app: 'ratings' } });
});

t.test('bad input: one issue per problem, with the field path', async (t) => {
  const cases: [string, string, string[]][] = [
    [
      'empty',
      '  workloadSelector: {labels: {a: b}}\n',
      ['spec: a Sidecar needs ingress, egress or outboundTrafficPolicy'],
    ],
    [
      'ingress without port',
      '  ingress: [{defaultEndpoint: "127.0.0.1:80"}]\n',
      ['spec.ingress[0]: missing required field "port"'],
    ],
    [
      'bad default endpoint',
      '  ingress: [{port: {number: 80, name: http}, defaultEndpoint: "10.0.0.1:80"}]\n',
      [
        'spec.ingress[0].defaultEndpoint: "10.0.0.1:80" must be 127.0.0.1:<port>, 0.0.0.0:<port>, [::1]:<port>, [::]:<port> or unix://<path>',
      ],
    ],
    [
      'duplicate ingress port',
      '  ingress: [{port: {number: 80}}, {port: {number: 80}}]\n',
      ['spec.ingress: port 80 is used by two ingress listeners'],
    ],
    [
      'capture mode',
      '  egress: [{hosts: ["./*"], captureMode: TPROXY}]\n',
      ['spec.egress[0].captureMode: unknown value "TPROXY"; expected one of DEFAULT, IPTABLES, NONE'],
    ],
    [
      'catch-all not last',
      '  egress: [{hosts: ["./*"]}, {port: {number: 80}, hosts: ["./*"]}]\n',
      ['spec.egress[0]: only the last egress listener may omit its port'],
    ],
    [
      'egress without hosts',
      '  egress: [{port: {number: 80}}]\n',
      ['spec.egress[0]: an egress listener needs at least one host'],
    ],
    [
      'egress host without namespace',
      '  egress: [{hosts: [reviews]}]\n',
      [
        'spec.egress[0].hosts: invalid host "reviews" (entry 0): expected namespace/dnsName such as "./*" or "istio-system/*"',
      ],
    ],
    [
      'outbound mode',
      '  outboundTrafficPolicy: {mode: DENY}\n',
      ['spec.outboundTrafficPolicy.mode: unknown value "DENY"; expected one of REGISTRY_ONLY, ALLOW_ANY'],
    ],
    [
      'targetPort',
      '  ingress: [{port: {number: 80, targetPort: 81}}]\n',
      ['spec.ingress[0].port.targetPort: targetPort is not supported yet (it has no effect on Sidecars)'],
    ],
  ];
  for (const [name, body, expected] of cases) t.same(issuesOf('Sidecar', body), expected, name);
});
