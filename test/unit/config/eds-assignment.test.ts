import t from 'tap';
import { formatIssue } from '../../../lib/config/errors.js';
import { loadConfigText } from '../../../lib/config/load.js';

const EDS_CLUSTER = `
clusters:
- name: order-service
  type: EDS
  connect_timeout: 3s
  lb_policy: LEAST_REQUEST
`;
const ASSIGNMENT = `---
cluster_name: order-service
endpoints:
- lb_endpoints:
  - endpoint: { address: { socket_address: { address: 10.0.0.1, port_value: 8080 } } }
  - endpoint: { address: { socket_address: { address: 10.0.0.2, port_value: 8080 } } }
`;

function load(text: string) {
  const r = loadConfigText(text, 'c.yaml');
  return r.ok
    ? { ok: true as const, bootstrap: r.bootstrap, warnings: r.warnings.map(formatIssue) }
    : { ok: false as const, issues: r.issues.map(formatIssue) };
}

t.test('a bare static_resources body (a file of clusters) loads', async (t) => {
  const r = load(EDS_CLUSTER);
  t.ok(r.ok);
  if (!r.ok) return;
  t.equal(r.bootstrap.clusters[0]!.name, 'order-service');
  t.same(r.bootstrap.clusters[0]!.endpoints, []);
  t.match(r.warnings.join('\n'), /c\.yaml: clusters\[0\]: EDS cluster without endpoints/);
});

t.test('a ClusterLoadAssignment document gives an EDS cluster its endpoints', async (t) => {
  const r = load(EDS_CLUSTER + ASSIGNMENT);
  t.ok(r.ok);
  if (!r.ok) return;
  t.same(
    r.bootstrap.clusters[0]!.endpoints.map((e) => e.address.address),
    ['10.0.0.1', '10.0.0.2'],
  );
  t.same(r.warnings, [], 'no empty-cluster warning');
  const typed = load(
    EDS_CLUSTER +
      ASSIGNMENT.replace(
        'cluster_name',
        '"@type": type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment\ncluster_name',
      ),
  );
  t.ok(typed.ok, 'with its @type too');
});

t.test('assignment errors name the document and the reason', async (t) => {
  const unknown = load(EDS_CLUSTER + ASSIGNMENT.replace('cluster_name: order-service', 'cluster_name: nope'));
  t.match(
    unknown.ok ? '' : unknown.issues.join('\n'),
    /c\.yaml#2: ClusterLoadAssignment for unknown cluster "nope"/,
  );
  const notEds = load(EDS_CLUSTER.replace('type: EDS', 'type: STATIC') + ASSIGNMENT);
  t.match(
    notEds.ok ? '' : notEds.issues.join('\n'),
    /cluster "order-service" is STATIC; a ClusterLoadAssignment document only applies to EDS clusters/,
  );
  const twice = load(EDS_CLUSTER + ASSIGNMENT + ASSIGNMENT);
  t.match(
    twice.ok ? '' : twice.issues.join('\n'),
    /c\.yaml#3: a second ClusterLoadAssignment for cluster "order-service" \(first at c\.yaml#2\)/,
  );
  const badAddr = load(EDS_CLUSTER + ASSIGNMENT.replace('10.0.0.2', 'not-an-ip'));
  t.match(badAddr.ok ? '' : badAddr.issues.join('\n'), /c\.yaml#2: endpoints\[0\]\.lb_endpoints\[1\]/);
});

t.test('eds_config path_config_source and the legacy path are decoded; not both', async (t) => {
  const withFile = (src: string) =>
    load(
      EDS_CLUSTER.replace(
        'lb_policy: LEAST_REQUEST',
        `lb_policy: LEAST_REQUEST\n  eds_cluster_config:\n    service_name: orders\n    eds_config: ${src}`,
      ),
    );
  const a = withFile('{ path_config_source: { path: /etc/skiff/eds.yaml }, resource_api_version: V3 }');
  t.same(a.ok ? a.bootstrap.clusters[0]!.eds : null, { path: '/etc/skiff/eds.yaml', serviceName: 'orders' });
  t.same(a.ok ? a.warnings : ['x'], [], 'a file source needs no warning');
  const b = withFile('{ path: /etc/skiff/eds.json }');
  t.same(b.ok ? b.bootstrap.clusters[0]!.eds?.path : null, '/etc/skiff/eds.json');
  const both = withFile('{ path: /a, path_config_source: { path: /b } }');
  t.match(
    both.ok ? '' : both.issues.join('\n'),
    /eds_cluster_config\.eds_config\.path: give either path or path_config_source, not both/,
  );
  const conflict = load(
    EDS_CLUSTER.replace(
      'lb_policy: LEAST_REQUEST',
      'lb_policy: LEAST_REQUEST\n  eds_cluster_config: { eds_config: { path: /a } }',
    ) + ASSIGNMENT,
  );
  t.match(
    conflict.ok ? '' : conflict.issues.join('\n'),
    /reads its endpoints from \/a; remove one of the two/,
  );
  const ads = withFile('{ ads: {} }');
  t.ok(ads.ok);
  t.match(
    ads.ok ? ads.warnings.join('\n') : '',
    /EDS cluster without endpoints/,
    'xDS sources start empty with a warning',
  );
});
