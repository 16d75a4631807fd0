/** Certificate files named by a config are checked when it is to be served here. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { loadConfigText } from '../../../lib/config/load.js';
import { checkTlsFiles } from '../../../lib/config/tls-files.js';
import { createRootCa } from '../../../lib/tls/pki/root-ca.js';
import { issueWorkloadCertificate } from '../../../lib/tls/pki/workload-cert.js';
import { testSidecarOptions } from '../../helpers/sidecar.js';

const dir = mkdtempSync(join(tmpdir(), 'skiff-tls-files-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const ca = createRootCa({ trustDomain: 'cluster.local' });
const leaf = issueWorkloadCertificate({ ca, spiffeId: 'spiffe://cluster.local/ns/a/sa/b', ttlMs: 3_600_000 });
const other = issueWorkloadCertificate({
  ca,
  spiffeId: 'spiffe://cluster.local/ns/a/sa/c',
  ttlMs: 3_600_000,
});
const f = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const CERT = f('cert.pem', leaf.certChainPem);
const KEY = f('key.pem', leaf.privateKeyPem);
const OTHER_KEY = f('other-key.pem', other.privateKeyPem);
const CA = f('ca.pem', ca.certPem);
const GARBAGE = f('garbage.pem', 'not a certificate\n');
const MISSING = join(dir, 'missing.pem');

const pair = (certChain: string, privateKey: string) => ({
  kind: 'key-pair' as const,
  file: 'x.yaml',
  certPath: 'c.filename',
  keyPath: 'k.filename',
  certChain,
  privateKey,
});

t.test('usable files pass; each problem names the field holding the path', async (t) => {
  t.same(checkTlsFiles([pair(CERT, KEY), { kind: 'ca', file: 'x.yaml', path: 'v', ca: CA }]), []);
  const issues = checkTlsFiles([
    pair(MISSING, KEY),
    pair(CERT, OTHER_KEY),
    pair(GARBAGE, KEY),
    pair(CERT, GARBAGE),
    { kind: 'ca', file: 'x.yaml', path: 'v1', ca: GARBAGE },
    { kind: 'ca', file: 'x.yaml', path: 'v2', ca: dir },
  ]);
  t.same(
    issues.map((i) => [i.path, i.message.replaceAll(dir, 'D')]),
    [
      ['c.filename', 'cannot read D/missing.pem: no such file or directory'],
      ['k.filename', 'D/other-key.pem does not match the certificate in D/cert.pem'],
      ['c.filename', issues[2]?.message.replaceAll(dir, 'D')],
      ['k.filename', issues[3]?.message.replaceAll(dir, 'D')],
      ['v1', 'D/garbage.pem holds no PEM certificate'],
      ['v2', 'cannot read D: is a directory'],
    ],
  );
  t.match(issues[2]?.message, /garbage\.pem is not a readable PEM certificate/);
  t.match(issues[3]?.message, /garbage\.pem is not a readable PEM private key/);
  t.equal(checkTlsFiles([pair(MISSING, KEY), pair(MISSING, KEY)]).length, 1, 'said once');
});

const bootstrap = (cert: string, key: string, ca: string) => `static_resources:
  listeners:
    - name: l
      address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
      filter_chains:
        - transport_socket:
            name: envoy.transport_sockets.tls
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext
              common_tls_context:
                tls_certificates: [{certificate_chain: {filename: ${cert}}, private_key: {filename: ${key}}}]
                validation_context: {trusted_ca: {filename: ${ca}}}
          filters:
            - name: envoy.filters.network.http_connection_manager
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                stat_prefix: x
                route_config: {virtual_hosts: [{name: a, domains: ["*"], routes: [{match: {prefix: /}, route: {cluster: c}}]}]}
                http_filters: [{name: envoy.filters.http.router, typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router}}]
  clusters:
    - name: c
      connect_timeout: 1s
      type: STATIC
      transport_socket:
        name: envoy.transport_sockets.tls
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext
          common_tls_context:
            tls_certificates: [{certificate_chain: {filename: ${cert}}, private_key: {filename: ${key}}}]
            validation_context: {trusted_ca: {filename: ${ca}}}
      load_assignment: {cluster_name: c, endpoints: [{lb_endpoints: [{endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: 1}}}}]}]}
`;

t.test('an Envoy bootstrap: checked only when asked (served here), with Envoy field paths', async (t) => {
  t.ok(loadConfigText(bootstrap(CERT, KEY, CA), 'b.yaml', { checkFiles: true }).ok);
  const bad = bootstrap(MISSING, OTHER_KEY, GARBAGE);
  t.ok(loadConfigText(bad, 'b.yaml').ok, 'translating or dumping does not read the files');
  const r = loadConfigText(bad, 'b.yaml', { checkFiles: true });
  t.equal(r.ok, false);
  if (r.ok) return;
  t.same(
    r.issues.map((i) => `${i.file}: ${i.path}`),
    [
      'b.yaml: static_resources.listeners[0].filter_chains[0].transport_socket.typed_config.common_tls_context.tls_certificates[0].certificate_chain.filename',
      'b.yaml: static_resources.listeners[0].filter_chains[0].transport_socket.typed_config.common_tls_context.validation_context.trusted_ca.filename',
      'b.yaml: static_resources.clusters[0].transport_socket.typed_config.common_tls_context.tls_certificates[0].certificate_chain.filename',
      'b.yaml: static_resources.clusters[0].transport_socket.typed_config.common_tls_context.validation_context.trusted_ca.filename',
    ],
  );
});

t.test('Istio DestinationRule SIMPLE / MUTUAL paths, with the DR field path', async (t) => {
  const text = (mode: string, extra: string) => `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: api, namespace: default}
spec:
  hosts: [api.example.com]
  ports: [{number: 443, name: https, protocol: HTTP}, {number: 8443, name: alt, protocol: HTTP}]
  resolution: DNS
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: api, namespace: default}
spec:
  host: api.example.com
  trafficPolicy:
    tls: {mode: ${mode}, ${extra}}
`;
  const opts = { sidecar: testSidecarOptions(), checkFiles: true };
  t.ok(loadConfigText(text('SIMPLE', `caCertificates: ${CA}`), 'dr.yaml', opts).ok);
  t.ok(
    loadConfigText(
      text('MUTUAL', `caCertificates: ${CA}, clientCertificate: ${CERT}, privateKey: ${KEY}`),
      'dr.yaml',
      opts,
    ).ok,
  );
  const r = loadConfigText(
    text('MUTUAL', `caCertificates: ${MISSING}, clientCertificate: ${CERT}, privateKey: ${OTHER_KEY}`),
    'dr.yaml',
    opts,
  );
  t.equal(r.ok, false);
  if (r.ok) return;
  t.same(
    r.issues.map((i) => `${i.file}: ${i.path}: ${i.message.replaceAll(dir, 'D')}`),
    [
      'dr.yaml#2: spec.trafficPolicy.tls.privateKey: D/other-key.pem does not match the certificate in D/cert.pem',
      'dr.yaml#2: spec.trafficPolicy.tls.caCertificates: cannot read D/missing.pem: no such file or directory',
    ],
    'each said once although two ports use the rule',
  );
});
