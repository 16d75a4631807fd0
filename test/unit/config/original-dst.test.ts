import t from 'tap';
import { formatIssue } from '../../../lib/config/errors.js';
import { loadConfigText } from '../../../lib/config/load.js';
import type { ClusterConfig } from '../../../lib/config/model.js';
import { minimal } from './fixtures.js';

const CL = 'od.yaml: static_resources.clusters[0]';

/** The minimal bootstrap with its cluster `svc` replaced by these YAML lines. */
function withCluster(lines: string): string {
  const head = minimal().split('  clusters:\n')[0]!;
  return `${head}  clusters:\n  - name: svc\n${lines.replace(/^\n/, '')}`;
}

function load(text: string): { cluster: ClusterConfig; warnings: string[] } {
  const r = loadConfigText(text, 'od.yaml');
  if (!r.ok) throw new Error(r.issues.map(formatIssue).join('\n'));
  return { cluster: r.bootstrap.clusters[0]!, warnings: r.warnings.map(formatIssue) };
}

function issues(text: string): string[] {
  const r = loadConfigText(text, 'od.yaml');
  return r.ok ? [] : r.issues.map(formatIssue);
}

const BASE = `
    type: ORIGINAL_DST
    lb_policy: CLUSTER_PROVIDED
`;

t.test('ORIGINAL_DST with the header: Envoy defaults', async (t) => {
  const { cluster, warnings } = load(
    withCluster(`${BASE}    original_dst_lb_config: {use_http_header: true}\n`),
  );
  t.same(warnings, []);
  t.equal(cluster.type, 'ORIGINAL_DST');
  t.equal(cluster.lbPolicy, 'ROUND_ROBIN', 'CLUSTER_PROVIDED: the model keeps the default policy');
  t.same(cluster.endpoints, []);
  t.same(cluster.originalDst, {
    httpHeaderName: 'x-envoy-original-dst-host',
    defaultPort: 80,
    upstreamPortOverride: null,
    cleanupIntervalMs: 5000,
  });
});

t.test('http_header_name, upstream_port_override and cleanup_interval', async (t) => {
  const { cluster } = load(
    withCluster(`${BASE}    cleanup_interval: 30s
    original_dst_lb_config: {use_http_header: true, http_header_name: X-Dest, upstream_port_override: 8080}
`),
  );
  t.same(cluster.originalDst, {
    httpHeaderName: 'x-dest',
    defaultPort: 80,
    upstreamPortOverride: 8080,
    cleanupIntervalMs: 30_000,
  });
  const auth = load(
    withCluster(`${BASE}    originalDstLbConfig: {useHttpHeader: true, httpHeaderName: ":authority"}\n`),
  );
  t.equal(auth.cluster.originalDst?.httpHeaderName, ':authority', 'camelCase JSON names too');
});

t.test('other cluster types carry no originalDst and ignore its lb config', async (t) => {
  const text = minimal().replace(
    '  - name: svc\n',
    '  - name: svc\n    original_dst_lb_config: {use_http_header: true}\n    cleanup_interval: 1s\n',
  );
  const { cluster, warnings } = load(text);
  t.equal(cluster.originalDst, undefined);
  t.same(warnings, [`${CL}.original_dst_lb_config: only used by ORIGINAL_DST clusters; ignored`]);
});

t.test('lb_policy must be CLUSTER_PROVIDED, and only for ORIGINAL_DST', async (t) => {
  t.same(
    issues(withCluster('    type: ORIGINAL_DST\n    original_dst_lb_config: {use_http_header: true}\n')),
    [
      `${CL}.lb_policy: LB policy ROUND_ROBIN is not valid for cluster type ORIGINAL_DST; only CLUSTER_PROVIDED is allowed`,
    ],
  );
  t.same(
    issues(
      withCluster(
        '    type: ORIGINAL_DST\n    lb_policy: RANDOM\n    original_dst_lb_config: {use_http_header: true}\n',
      ),
    ),
    [
      `${CL}.lb_policy: LB policy RANDOM is not valid for cluster type ORIGINAL_DST; only CLUSTER_PROVIDED is allowed`,
    ],
  );
  t.same(issues(minimal().replace('  - name: svc\n', '  - name: svc\n    lb_policy: CLUSTER_PROVIDED\n')), [
    `${CL}.lb_policy: LB policy CLUSTER_PROVIDED is only valid for cluster type ORIGINAL_DST, not STATIC`,
  ]);
});

t.test("the connection's original destination is not supported yet", async (t) => {
  t.same(issues(withCluster(BASE)), [
    `${CL}.original_dst_lb_config: missing: the connection's original destination (iptables capture) is not supported yet; set original_dst_lb_config.use_http_header: true`,
  ]);
  t.same(
    issues(
      withCluster(`${BASE}    original_dst_lb_config: {use_http_header: false, http_header_name: x-a}\n`),
    ),
    [
      `${CL}.original_dst_lb_config.use_http_header: use_http_header: false (the connection's original destination, iptables capture) is not supported yet; set it to true`,
    ],
  );
});

t.test('bad values name their field', async (t) => {
  t.same(
    issues(
      withCluster(`${BASE}    cleanup_interval: 0s
    original_dst_lb_config: {use_http_header: yes, http_header_name: "bad name", upstream_port_override: 70000, metadata_key: {key: a}, bogus: 1}
    load_assignment: {endpoints: []}
`),
    ),
    [
      `${CL}.load_assignment: ORIGINAL_DST clusters must have no load assignment`,
      `${CL}.cleanup_interval: must be greater than 0`,
      `${CL}.original_dst_lb_config.use_http_header: expected a boolean, got a string ("yes")`,
      `${CL}.original_dst_lb_config.upstream_port_override: 70000 is out of range; must be 1–65535`,
      `${CL}.original_dst_lb_config.metadata_key: metadata_key is not supported yet (only use_http_header is supported)`,
      `${CL}.original_dst_lb_config: unknown field "bogus"`,
      `${CL}.original_dst_lb_config.use_http_header: use_http_header: false (the connection's original destination, iptables capture) is not supported yet; set it to true`,
      `${CL}.original_dst_lb_config.http_header_name: "bad name" is not a valid header name (or :authority)`,
    ],
  );
  t.same(
    issues(
      withCluster(`${BASE}    original_dst_lb_config: {use_http_header: true, http_header_name: ":path"}\n`),
    ),
    [`${CL}.original_dst_lb_config.http_header_name: ":path" is not a valid header name (or :authority)`],
  );
  t.same(issues(withCluster(`${BASE}    original_dst_lb_config: []\n`)), [
    `${CL}.original_dst_lb_config: expected an object, got a list`,
    `${CL}.original_dst_lb_config: missing: the connection's original destination (iptables capture) is not supported yet; set original_dst_lb_config.use_http_header: true`,
  ]);
});
