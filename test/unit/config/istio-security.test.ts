import t from 'tap';
import { issuesOf, one } from './istio-fixtures.js';

t.test('PeerAuthentication defaults and a full one', async (t) => {
  t.same(one('PeerAuthentication', '  {}\n').spec, { selector: null, mtls: null, portLevelMtls: {} });
  const pa = one(
    'PeerAuthentication',
    '  selector: {matchLabels: {app: db}}\n  mtls: {mode: STRICT}\n  portLevelMtls:\n    "5432": {mode: DISABLE}\n    8080: {mode: PERMISSIVE}\n',
  );
  t.same(pa.spec, {
    selector: { labels: { app: 'db' } },
    mtls: { mode: 'STRICT' },
    portLevelMtls: { 5432: 'DISABLE', 8080: 'PERMISSIVE' },
  });
  t.same(one('PeerAuthentication', '  mtls: {}\n').spec.mtls, { mode: 'UNSET' });
});

t.test('AuthorizationPolicy defaults and a full one', async (t) => {
  t.same(one('AuthorizationPolicy', '  {}\n').spec, {
    selector: null,
    action: 'ALLOW',
    provider: '',
    rules: [],
  });
  const ap = one(
    'AuthorizationPolicy',
    `  selector: {matchLabels: {app: httpbin}}
  action: DENY
  rules:
  - from:
    - source:
        principals: [cluster.local/ns/default/sa/sleep]
        notNamespaces: [dev]
        ipBlocks: [10.0.0.0/8]
        remoteIpBlocks: [1.2.3.4]
    to:
    - operation:
        methods: [GET]
        paths: [/info*]
        ports: ["8080"]
        notHosts: [evil.example]
    when:
    - key: request.auth.claims[iss]
      values: ["https://accounts.google.com"]
    - key: source.ip
      notValues: [10.1.0.0/16]
  - {}
`,
  );
  t.equal(ap.spec.action, 'DENY');
  t.equal(ap.spec.rules.length, 2);
  const r0 = ap.spec.rules[0]!;
  t.same(r0.from[0]!.principals, ['cluster.local/ns/default/sa/sleep']);
  t.same(r0.from[0]!.requestPrincipals, []);
  t.same(r0.to[0]!.ports, ['8080']);
  t.same(r0.when, [
    { key: 'request.auth.claims[iss]', values: ['https://accounts.google.com'], notValues: [] },
    { key: 'source.ip', values: [], notValues: ['10.1.0.0/16'] },
  ]);
  t.same(ap.spec.rules[1], { from: [], to: [], when: [] });
  const custom = one(
    'AuthorizationPolicy',
    '  action: CUSTOM\n  provider: {name: ext-authz}\n  rules: [{}]\n',
  );
  t.equal(custom.spec.provider, 'ext-authz');
});

t.test('bad input: one issue per problem, with the field path', async (t) => {
  const pa: [string, string, string[]][] = [
    [
      'mode',
      '  mtls: {mode: ON}\n',
      ['spec.mtls.mode: unknown value "ON"; expected one of UNSET, DISABLE, PERMISSIVE, STRICT'],
    ],
    [
      'port-level without selector',
      '  portLevelMtls: {"80": {mode: STRICT}}\n',
      ['spec.portLevelMtls: mesh- and namespace-wide policies (no selector) cannot set port-level mTLS'],
    ],
    [
      'port out of range',
      '  selector: {matchLabels: {a: b}}\n  portLevelMtls: {"0": {mode: STRICT}}\n',
      ['spec.portLevelMtls.0: "0" is not a port in the range 1–65535'],
    ],
    ['unknown field', '  mtls: {mode: STRICT, strict: true}\n', ['spec.mtls: unknown field "strict"']],
  ];
  for (const [name, body, expected] of pa) t.same(issuesOf('PeerAuthentication', body), expected, name);
  const ap: [string, string, string[]][] = [
    [
      'action',
      '  action: REJECT\n',
      ['spec.action: unknown value "REJECT"; expected one of ALLOW, DENY, AUDIT, CUSTOM'],
    ],
    [
      'DENY without rules',
      '  action: DENY\n',
      ['spec: a DENY policy without rules never triggers; add an empty rule {} to deny every request'],
    ],
    [
      'CUSTOM without provider',
      '  action: CUSTOM\n  rules: [{}]\n',
      ['spec: a CUSTOM policy needs provider.name'],
    ],
    [
      'provider without CUSTOM',
      '  provider: {name: x}\n',
      ['spec.provider: provider is only allowed with the CUSTOM action, not ALLOW'],
    ],
    [
      'empty from',
      '  rules: [{from: []}]\n',
      ['spec.rules[0].from: must not be empty (omit it to match anything)'],
    ],
    [
      'from without source',
      '  rules: [{from: [{}]}]\n',
      ['spec.rules[0].from[0]: missing required field "source"'],
    ],
    [
      'empty source',
      '  rules: [{from: [{source: {}}]}]\n',
      ['spec.rules[0].from[0].source: a source must set at least one field'],
    ],
    [
      'bad ipBlock',
      '  rules: [{from: [{source: {ipBlocks: [10.0.0.0/33]}}]}]\n',
      ['spec.rules[0].from[0].source.ipBlocks[0]: invalid IP or CIDR "10.0.0.0/33"'],
    ],
    [
      'empty value',
      '  rules: [{from: [{source: {principals: [""]}}]}]\n',
      ['spec.rules[0].from[0].source.principals[0]: must not be empty'],
    ],
    [
      'bad port',
      '  rules: [{to: [{operation: {ports: ["http"]}}]}]\n',
      ['spec.rules[0].to[0].operation.ports[0]: "http" is not a port in the range 1–65535'],
    ],
    [
      'numeric port',
      '  rules: [{to: [{operation: {ports: [8080]}}]}]\n',
      ['spec.rules[0].to[0].operation.ports[0]: expected a string, got a number (8080)'],
    ],
    [
      'condition without values',
      '  rules: [{when: [{key: source.ip}]}]\n',
      ['spec.rules[0].when[0]: at least one of values or notValues must be set for key source.ip'],
    ],
    [
      'unknown condition key',
      '  rules: [{when: [{key: source.port, values: ["1"]}]}]\n',
      ['spec.rules[0].when[0].key: unknown condition key "source.port"'],
    ],
    [
      'CUSTOM with principals',
      '  action: CUSTOM\n  provider: {name: x}\n  rules: [{from: [{source: {principals: [a]}}]}]\n',
      ['spec.rules[0].from[0].source.principals: is not supported with the CUSTOM action'],
    ],
    [
      'targetRefs',
      '  targetRefs: [{kind: Gateway, name: gw}]\n',
      ['spec.targetRefs: targetRefs is not supported yet (waypoint and gateway targets)'],
    ],
  ];
  for (const [name, body, expected] of ap) t.same(issuesOf('AuthorizationPolicy', body), expected, name);
});
