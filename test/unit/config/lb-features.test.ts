import t from 'tap';
import { formatIssue } from '../../../lib/config/errors.js';
import { loadConfigText } from '../../../lib/config/load.js';
import type { Bootstrap, ClusterConfig, ForwardActionConfig } from '../../../lib/config/model.js';
import { minimal } from './fixtures.js';

const HCM = 'static_resources.listeners[0].filter_chains[0].filters[0].typed_config';
const ROUTE = `${HCM}.route_config.virtual_hosts[0].routes[0].route`;
const CLUSTER = 'static_resources.clusters[0]';

/** The minimal bootstrap with `extra` (a flow-mapping body) added to the route action. */
function withRoute(extra: string): string {
  const oneLine = extra.replace(/\n\s*/g, ' ');
  return minimal().replace('route: {cluster: svc}', `route: {cluster: svc, ${oneLine}}`);
}

/** The minimal bootstrap with YAML lines added to the cluster (indented under it). */
function withCluster(lines: string): string {
  return minimal().replace('  - name: svc\n', `  - name: svc\n${lines}`);
}

function load(text: string): { bootstrap: Bootstrap; warnings: string[] } {
  const r = loadConfigText(text, 'lb.yaml');
  if (!r.ok) throw new Error(r.issues.map(formatIssue).join('\n'));
  return { bootstrap: r.bootstrap, warnings: r.warnings.map(formatIssue) };
}

function issues(text: string): string[] {
  const r = loadConfigText(text, 'lb.yaml');
  return r.ok ? [] : r.issues.map(formatIssue);
}

function action(b: Bootstrap): ForwardActionConfig {
  const a = b.listeners[0]!.filterChains[0]!.hcm!.routeConfig.virtualHosts[0]!.routes[0]!.action;
  if (a.kind !== 'forward') throw new Error('not a forward action');
  return a;
}

function cluster(b: Bootstrap): ClusterConfig {
  return b.clusters[0]!;
}

t.test('hash_policy decodes every kind with its defaults', async (t) => {
  const { bootstrap, warnings } = load(
    withRoute(`hash_policy: [
      {header: {header_name: X-User, regex_rewrite: {pattern: {regex: "^(\\\\w+)-.*$"}, substitution: "\\\\1"}}},
      {cookie: {name: sticky, ttl: 3600.5s, path: /, attributes: [{name: SameSite, value: Lax}, {name: Secure}]}},
      {cookie: {name: plain}, terminal: true},
      {connection_properties: {source_ip: true}},
      {connection_properties: {source_ip: false}},
      {query_parameter: {name: user}},
      {filter_state: {key: io.istio.peer}}]`),
  );
  t.same(action(bootstrap).hashPolicy, [
    {
      kind: 'header',
      headerName: 'x-user',
      regexRewrite: { regex: '^(\\w+)-.*$', substitution: '\\1' },
      terminal: false,
    },
    {
      kind: 'cookie',
      name: 'sticky',
      ttlSeconds: 3600,
      path: '/',
      attributes: [
        { name: 'SameSite', value: 'Lax' },
        { name: 'Secure', value: '' },
      ],
      terminal: false,
    },
    { kind: 'cookie', name: 'plain', ttlSeconds: null, path: '', attributes: [], terminal: true },
    { kind: 'source_ip', terminal: false },
    { kind: 'query_parameter', name: 'user', terminal: false },
    { kind: 'filter_state', key: 'io.istio.peer', terminal: false },
  ]);
  t.same(warnings, [
    `lb.yaml: ${ROUTE}.hash_policy[6].filter_state.key: Skiff sets no filter state objects: this hash policy never yields a hash (as in Envoy when the key is absent)`,
  ]);
});

t.test('a route without hash_policy has no hashPolicy field', async (t) => {
  t.notOk('hashPolicy' in action(load(minimal()).bootstrap));
  t.notOk('hashPolicy' in action(load(withRoute('hash_policy: []')).bootstrap));
});

t.test('hash_policy errors name the field', async (t) => {
  const P = `lb.yaml: ${ROUTE}.hash_policy`;
  t.same(issues(withRoute('hash_policy: [{terminal: true}]')), [
    `${P}[0]: exactly one of header, cookie, connection_properties, query_parameter, filter_state is required`,
  ]);
  t.same(issues(withRoute('hash_policy: [{header: {header_name: a}, cookie: {name: b}}]')), [
    `${P}[0]: only one of header, cookie, connection_properties, query_parameter, filter_state may be set (found header and cookie)`,
  ]);
  t.same(issues(withRoute('hash_policy: [{header: {}}]')), [
    `${P}[0].header: missing required field "header_name"`,
  ]);
  t.same(issues(withRoute('hash_policy: [{header: {header_name: "a\\nb"}}]')), [
    `${P}[0].header.header_name: must not contain NUL, CR or LF`,
  ]);
  t.same(
    issues(
      withRoute(
        'hash_policy: [{header: {header_name: a, regex_rewrite: {pattern: {regex: "(a"}, substitution: x}}}]',
      ),
    ).length,
    1,
    'a bad regex_rewrite is reported',
  );
  t.same(issues(withRoute('hash_policy: [{cookie: {ttl: 10s}}]')), [
    `${P}[0].cookie: missing required field "name"`,
  ]);
  t.same(issues(withRoute('hash_policy: [{cookie: {name: "a;b", ttl: 10}}]')), [
    `${P}[0].cookie.name: a cookie name must not contain "=", ";" or control characters`,
    `${P}[0].cookie.ttl: invalid duration 10: expected a string of seconds such as "10s" (protobuf Duration)`,
  ]);
  t.same(
    issues(
      withRoute('hash_policy: [{cookie: {name: a, path: "/x;y", attributes: [{value: v}, {name: "a b"}]}}]'),
    ),
    [
      `${P}[0].cookie.path: must not contain ";" or control characters`,
      `${P}[0].cookie.attributes[0]: missing required field "name"`,
      `${P}[0].cookie.attributes[1].name: must not contain spaces, "=", ";" or control characters`,
    ],
  );
  t.same(
    issues(withRoute('hash_policy: [{cookie: {name: a, attributes: [{name: b, value: "x;y", extra: 1}]}}]')),
    [
      `${P}[0].cookie.attributes[0].value: must not contain ";" or control characters`,
      `${P}[0].cookie.attributes[0]: unknown field "extra"`,
    ],
  );
  t.same(issues(withRoute('hash_policy: [{connection_properties: {source_ip: yes please}}]')), [
    `${P}[0].connection_properties.source_ip: expected a boolean, got a string ("yes please")`,
  ]);
  t.same(issues(withRoute('hash_policy: [{query_parameter: {name: ""}}]')), [
    `${P}[0].query_parameter.name: must not be empty`,
  ]);
  t.same(issues(withRoute('hash_policy: [{filter_state: {}}]')), [
    `${P}[0].filter_state: missing required field "key"`,
  ]);
  t.same(issues(withRoute('hash_policy: [{header: {header_name: a, bogus: 1}, terminal: 1}]')), [
    `${P}[0].terminal: expected a boolean, got a number (1)`,
    `${P}[0].header: unknown field "bogus"`,
  ]);
  t.same(issues(withRoute('hash_policy: {header: {header_name: a}}')), [
    `${P}: expected a list, got an object`,
  ]);
});

t.test('slow_start_config and active_request_bias decode with defaults', async (t) => {
  const rr = cluster(
    load(withCluster('    round_robin_lb_config: {slow_start_config: {slow_start_window: 30s}}\n')).bootstrap,
  );
  t.same(rr.slowStart, { windowMs: 30_000, aggression: 1, minWeightFraction: 0.1 });
  t.notOk('activeRequestBias' in rr);

  const lr = cluster(
    load(
      withCluster(`    lb_policy: LEAST_REQUEST
    least_request_lb_config:
      active_request_bias: {default_value: 0.5, runtime_key: lb.bias}
      slow_start_config:
        slow_start_window: 2.5s
        aggression: {default_value: 2, runtime_key: lb.aggression}
        min_weight_percent: {value: 25}
`),
    ).bootstrap,
  );
  t.same(lr.slowStart, { windowMs: 2500, aggression: 2, minWeightFraction: 0.25 });
  t.equal(lr.activeRequestBias, 0.5);

  const zero = cluster(
    load(
      withCluster(`    lb_policy: LEAST_REQUEST
    least_request_lb_config: {active_request_bias: {runtime_key: k}}
`),
    ).bootstrap,
  );
  t.equal(zero.activeRequestBias, 0, 'an absent default_value is proto3 0.0');
  t.notOk('slowStart' in cluster(load(minimal()).bootstrap));
});

t.test('slow start and bias values Envoy replaces are warned about', async (t) => {
  const CL = `lb.yaml: ${CLUSTER}`;
  const r = load(
    withCluster(`    lb_policy: LEAST_REQUEST
    least_request_lb_config:
      active_request_bias: {default_value: -1, runtime_key: k}
      slow_start_config: {slow_start_window: 10s, aggression: {default_value: 0, runtime_key: k}}
`),
  );
  t.same(cluster(r.bootstrap).slowStart, { windowMs: 10_000, aggression: 1, minWeightFraction: 0.1 });
  t.equal(cluster(r.bootstrap).activeRequestBias, undefined, 'negative bias → 1.0 (the default)');
  t.same(r.warnings, [
    `${CL}.least_request_lb_config.active_request_bias.default_value: active_request_bias must be ≥ 0; using 1 as Envoy does`,
    `${CL}.least_request_lb_config.slow_start_config.aggression.default_value: aggression must be > 0; using 1 as Envoy does`,
  ]);

  const off = load(withCluster('    round_robin_lb_config: {slow_start_config: {}}\n'));
  t.notOk('slowStart' in cluster(off.bootstrap));
  t.same(off.warnings, [
    `${CL}.round_robin_lb_config.slow_start_config.slow_start_window: missing or zero: slow start stays off`,
  ]);

  const other = load(
    withCluster(
      '    lb_policy: RANDOM\n    round_robin_lb_config: {slow_start_config: {slow_start_window: 1s}}\n',
    ),
  );
  t.notOk('slowStart' in cluster(other.bootstrap));
  t.same(other.warnings, [
    `${CL}.round_robin_lb_config.slow_start_config: applies to lb_policy ROUND_ROBIN only; ignored under RANDOM`,
  ]);
});

t.test('slow start and bias errors name the field', async (t) => {
  const CL = `lb.yaml: ${CLUSTER}`;
  t.same(
    issues(
      withCluster(`    least_request_lb_config:
      active_request_bias: {default_value: fast}
      slow_start_config: {slow_start_window: 5, min_weight_percent: {value: 150}, aggression: 2}
      selection_method: FULL_SCAN
`),
    ),
    [
      `${CL}.least_request_lb_config.active_request_bias.default_value: expected a number, got a string ("fast")`,
      `${CL}.least_request_lb_config.active_request_bias: missing required field "runtime_key"`,
      `${CL}.least_request_lb_config.slow_start_config.slow_start_window: invalid duration 5: expected a string of seconds such as "5s" (protobuf Duration)`,
      `${CL}.least_request_lb_config.slow_start_config.aggression: expected an object, got a number (2)`,
      `${CL}.least_request_lb_config.slow_start_config.min_weight_percent.value: 150 is out of range; must be 0–100`,
      `${CL}.least_request_lb_config.selection_method: selection_method is not supported yet`,
    ],
  );
  t.same(
    issues(
      withCluster(
        '    round_robin_lb_config: {slow_start_config: {slow_start_window: 1s, ramp: 2}, extra: 1}\n',
      ),
    ),
    [
      `${CL}.round_robin_lb_config.slow_start_config: unknown field "ramp"`,
      `${CL}.round_robin_lb_config: unknown field "extra"`,
    ],
  );
  t.same(
    issues(
      withCluster(
        '    least_request_lb_config: {choice_count: 2}\n    ring_hash_lb_config: {minimum_ring_size: 8}\n',
      ),
    ),
    [
      `${CL}: only one of ring_hash_lb_config, maglev_lb_config, original_dst_lb_config, least_request_lb_config, round_robin_lb_config may be set (found ring_hash_lb_config and least_request_lb_config)`,
    ],
  );
});
