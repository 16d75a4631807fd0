import t from 'tap';
import type { TransportSocketMatchConfig, UpstreamTlsConfig } from '../../../lib/config/model.js';
import { parseSubjectAltNameList as parseSubjectAltNames } from '../../../lib/tls/subject-alt-names.js';
import { SanMatchers } from '../../../lib/upstream/san-check.js';
import { tlsFailureReason, UpstreamTlsError } from '../../../lib/upstream/tls-errors.js';
import { TlsTransport } from '../../../lib/upstream/tls-transport.js';
import { classifyUpstreamError, upstreamFailureBody } from '../../../lib/upstream/upstream-errors.js';
import { selectTransport } from '../../../lib/upstream/upstream-transports.js';
import { TestCertificateProvider } from '../../helpers/cert-provider.js';

const tls = (sni: string): UpstreamTlsConfig => ({
  sni,
  certificate: { kind: 'workload' },
  validation: { trust: { kind: 'workload' }, subjectAltNames: [], acceptUntrusted: false },
  alpnProtocols: [],
  minVersion: 'TLSv1_2',
  maxVersion: 'TLSv1_3',
});

t.test('transport selection: first matching entry, else upstreamTls, else plaintext', async (t) => {
  const istio = tls('istio');
  const own = tls('own');
  const cfg = {
    upstreamTls: own,
    transportSocketMatches: <TransportSocketMatchConfig[]>[
      { name: 'istio', match: { tlsMode: 'istio', zone: 'a' }, tls: istio },
      { name: 'plain', match: { tlsMode: 'disabled' }, tls: null },
    ],
  };
  t.equal(
    selectTransport(cfg, { tlsMode: 'istio', zone: 'a', extra: 'x' }),
    istio,
    'all match labels present',
  );
  t.equal(selectTransport(cfg, { tlsMode: 'istio' }), own, 'a partial match does not count');
  t.equal(selectTransport(cfg, { tlsMode: 'disabled' }), null, 'an entry may select plaintext');
  t.equal(selectTransport({ transportSocketMatches: cfg.transportSocketMatches }, {}), null);
  t.equal(selectTransport({}, { tlsMode: 'istio' }), null);
  const catchAll = { transportSocketMatches: [{ name: 'all', match: {}, tls: istio }] };
  t.equal(selectTransport(catchAll, {}), istio, 'an empty match selects every endpoint');
});

t.test("SANs are parsed from Node's string form, quoted values included", async (t) => {
  t.same(parseSubjectAltNames('URI:spiffe://td/ns/a/sa/b, DNS:x.example.com, IP Address:10.0.0.1'), [
    { type: 'URI', value: 'spiffe://td/ns/a/sa/b' },
    { type: 'DNS', value: 'x.example.com' },
    { type: 'IP Address', value: '10.0.0.1' },
  ]);
  t.same(parseSubjectAltNames('DNS:"evil.com, DNS:good.com", URI:spiffe://td/ns/a/sa/b'), [
    { type: 'DNS', value: 'evil.com, DNS:good.com' },
    { type: 'URI', value: 'spiffe://td/ns/a/sa/b' },
  ]);
  t.same(parseSubjectAltNames(''), []);
});

t.test('SAN matchers: type and value must both match; exact means exact', async (t) => {
  const m = new SanMatchers([
    { sanType: 'URI', matcher: { kind: 'exact', value: 'spiffe://td/ns/a/sa/b', ignoreCase: false } },
    { sanType: 'DNS', matcher: { kind: 'suffix', value: '.example.com', ignoreCase: false } },
  ]);
  t.ok(m.matches([{ type: 'URI', value: 'spiffe://td/ns/a/sa/b' }]));
  t.notOk(m.matches([{ type: 'URI', value: 'spiffe://td/ns/a/sa/bb' }]), 'no prefix matching');
  t.notOk(m.matches([{ type: 'DNS', value: 'spiffe://td/ns/a/sa/b' }]), 'the SAN type counts');
  t.ok(m.matches([{ type: 'DNS', value: 'api.example.com' }]));
  t.notOk(m.matches([{ type: 'DNS', value: 'api.example.com, DNS:evil.com' }]), 'a quoted value is one SAN');
  t.notOk(m.matches([]));
});

t.test('TLS failures are connection failures with a TLS_error transport reason', async (t) => {
  const verify = Object.assign(new Error('unable to verify'), { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
  const reason = tlsFailureReason(verify);
  t.equal(
    reason,
    'TLS_error:|268435581:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED:TLS_error_end',
  );
  t.match(
    tlsFailureReason(Object.assign(new Error('x'), { code: 'ERR_SSL_WRONG_VERSION_NUMBER' })),
    /:WRONG_VERSION_NUMBER:/,
  );
  const f = classifyUpstreamError(new UpstreamTlsError(reason, verify), false);
  t.equal(f.reason, 'connection failure');
  t.equal(f.connectFailure, true);
  t.equal(f.transportFailureReason, reason);
  t.equal(
    upstreamFailureBody(f),
    `upstream connect error or disconnect/reset before headers. reset reason: connection failure, transport failure reason: ${reason}`,
  );
});

t.test('a transport follows workload certificate rotation until closed', async (t) => {
  const provider = new TestCertificateProvider(null);
  const transport = new TlsTransport(tls('x'), { certificates: provider, log: () => {} });
  t.equal(transport.ready, false, 'no certificate yet');
  t.equal(provider.listenerCount, 1);
  // A syntactically bad PEM makes the context unusable rather than throwing at a request.
  provider.rotate({ certPem: 'nope', keyPem: 'nope', caPem: 'nope', certPath: '', keyPath: '', caPath: '' });
  t.equal(transport.ready, false);
  transport.close();
  t.equal(provider.listenerCount, 0, 'closing unsubscribes');
  const files = new TlsTransport(
    {
      ...tls('y'),
      certificate: null,
      validation: {
        trust: { kind: 'file', path: '/missing.pem' },
        subjectAltNames: [],
        acceptUntrusted: false,
      },
    },
    {
      log: () => {},
      readFile: () => {
        throw new Error('ENOENT');
      },
    },
  );
  t.equal(files.ready, false, 'an unreadable CA file leaves the transport unusable');
  const err = await new Promise<Error | null>((resolve) =>
    files.connector(1000)(
      { hostname: '127.0.0.1', host: '127.0.0.1', protocol: 'http:', port: '1' },
      (...args) => resolve(args[0]),
    ),
  );
  t.match(err, { code: 'SKIFF_UPSTREAM_TLS', transportFailureReason: /ENOENT/ });
});
