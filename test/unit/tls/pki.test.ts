import { spawnSync } from 'node:child_process';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { inspectCertificate, splitPemCertificates } from '../../../lib/tls/pki/inspect.js';
import { generateKeyPair, parseKeyType } from '../../../lib/tls/pki/key-pair.js';
import { createRootCa } from '../../../lib/tls/pki/root-ca.js';
import { parseTtl } from '../../../lib/tls/pki/ttl.js';
import { issueWorkloadCertificate } from '../../../lib/tls/pki/workload-cert.js';
import { hasOpenssl, isPkcs8Pem } from '../../helpers/pki.js';

const ID = 'spiffe://cluster.local/ns/default/sa/web';
const ca = createRootCa({ trustDomain: 'cluster.local' });
const leaf = issueWorkloadCertificate({ ca, spiffeId: ID, ttlMs: 24 * 3_600_000 });

t.test('root CA: self-signed, CA:TRUE, O=<trust domain> CN=Skiff root CA, 10 years', async (t) => {
  const c = new X509Certificate(ca.certPem);
  t.ok(c.ca, 'CA:TRUE');
  t.ok(c.checkIssued(c), 'self-issued');
  t.ok(c.verify(c.publicKey), 'self-signed');
  t.equal(c.subject, 'O=cluster.local\nCN=Skiff root CA');
  t.ok(c.checkPrivateKey(createPrivateKey(ca.keyPem)), 'key matches');
  const years = (Date.parse(c.validTo) - Date.now()) / (365 * 86_400_000);
  t.ok(years > 9.9 && years < 10.1, `about ten years (${years})`);
  t.equal(c.publicKey.asymmetricKeyDetails?.modulusLength, 2048);
  t.ok(Date.parse(c.validFrom) < Date.now(), 'back-dated');
});

t.test('root CA ttlDays and bad inputs', async (t) => {
  const short = createRootCa({ trustDomain: 'example.org', ttlDays: 2 });
  const info = inspectCertificate(short.certPem);
  t.ok(info.notAfter.getTime() - Date.now() < 2 * 86_400_000 + 1000);
  t.equal(info.subject, 'O=example.org, CN=Skiff root CA');
  t.throws(() => createRootCa({ trustDomain: 'Bad Domain' }), /lower-case/);
  t.throws(() => createRootCa({ trustDomain: 'x.org', ttlDays: 0 }), /positive/);
});

t.test('workload certificate is an X.509 SVID signed by the CA', async (t) => {
  const pems = splitPemCertificates(leaf.certChainPem);
  t.equal(pems.length, 2, 'leaf then CA');
  const c = new X509Certificate(pems[0]!);
  const root = new X509Certificate(ca.certPem);
  t.notOk(c.ca, 'CA:FALSE');
  t.ok(c.checkIssued(root));
  t.ok(c.verify(root.publicKey), 'signature verifies with the CA key');
  t.equal(c.subjectAltName, `URI:${ID}`, 'exactly one SAN, a URI');
  t.equal(c.subject, 'O=cluster.local');
  // Node 24 renamed `keyUsage` (which returns the extended key usage OIDs) to `extKeyUsage`.
  const eku = (c as unknown as { extKeyUsage?: string[] }).extKeyUsage ?? c.keyUsage;
  t.same([...(eku ?? [])].sort(), ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2'], 'serverAuth + clientAuth');
  t.ok(c.checkPrivateKey(createPrivateKey(leaf.privateKeyPem)));
  t.equal(leaf.rootCertPem.trim(), ca.certPem.trim());
  const now = Date.now();
  t.ok(leaf.notBefore.getTime() <= now - 50_000, 'notBefore a minute in the past');
  t.ok(leaf.notAfter.getTime() > now + 23.9 * 3_600_000 && leaf.notAfter.getTime() <= now + 24 * 3_600_000);
  const other = issueWorkloadCertificate({ ca, spiffeId: ID, ttlMs: 60_000 });
  t.not(
    inspectCertificate(other.certChainPem).serialNumber,
    inspectCertificate(leaf.certChainPem).serialNumber,
  );
});

t.test('issue refuses bad inputs', async (t) => {
  const base = { ca, spiffeId: ID, ttlMs: 3_600_000 };
  t.throws(
    () => issueWorkloadCertificate({ ...base, spiffeId: 'spiffe://cluster.local/web' }),
    /workload identity/,
  );
  t.throws(() => issueWorkloadCertificate({ ...base, ttlMs: 0 }), /positive/);
  t.throws(() => issueWorkloadCertificate({ ...base, ttlMs: Number.NaN }), /positive/);
  t.throws(
    () => issueWorkloadCertificate({ ...base, ttlMs: 11 * 365 * 86_400_000 }),
    /outlive its CA/,
    'longer than the CA',
  );
  const other = createRootCa({ trustDomain: 'cluster.local', ttlDays: 1 });
  t.throws(
    () => issueWorkloadCertificate({ ...base, ca: { certPem: ca.certPem, keyPem: other.keyPem } }),
    /does not match/,
  );
  t.throws(
    () => issueWorkloadCertificate({ ...base, ca: { certPem: ca.certPem, keyPem: 'junk' } }),
    /not a readable PEM/,
  );
  const leafAsCa = { certPem: splitPemCertificates(leaf.certChainPem)[0]!, keyPem: leaf.privateKeyPem };
  t.throws(() => issueWorkloadCertificate({ ...base, ca: leafAsCa }), /not a CA/);
  t.throws(
    () => issueWorkloadCertificate({ ...base, ca: other, now: Date.now() + 3 * 86_400_000 }),
    /outlive|expired/,
    'an expired CA',
  );
});

t.test('inspectCertificate reads subject, SANs, validity, serial, fingerprints', async (t) => {
  const info = inspectCertificate(leaf.certChainPem);
  t.same(info.uris, [ID]);
  t.same(info.dnsNames, []);
  t.equal(info.issuer, 'O=cluster.local, CN=Skiff root CA');
  t.match(info.serialNumber, /^[0-9a-f]{32}$/);
  t.match(info.fingerprintSha256, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  t.equal(info.isCa, false);
  t.throws(() => inspectCertificate('not a pem'), /no PEM certificate/);
  t.throws(() => inspectCertificate('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----'));
});

t.test('key types: rsa and ec, others refused with the reason', async (t) => {
  t.equal(parseKeyType('rsa'), 'rsa');
  t.equal(parseKeyType('ec'), 'ec');
  t.match(parseKeyType('dsa'), /unknown key type "dsa" \(supported: rsa, ec\)/);
  t.ok(isPkcs8Pem(generateKeyPair().privateKeyPem), 'PKCS#8 PEM private key');
});

t.test('ttl parsing', async (t) => {
  t.equal(parseTtl('24h'), 86_400_000);
  t.equal(parseTtl('1h30m'), 5_400_000);
  t.equal(parseTtl('90s'), 90_000);
  t.equal(parseTtl('7d'), 7 * 86_400_000);
  for (const bad of ['', '24', 'h', '-1h', '1.5h', '0s', '24 h', '1y']) t.type(parseTtl(bad), 'string', bad);
});

t.test('openssl agrees', { skip: hasOpenssl() ? false : 'openssl not installed' }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-pki-'));
  writeFileSync(join(dir, 'ca.pem'), ca.certPem);
  writeFileSync(join(dir, 'chain.pem'), leaf.certChainPem);
  const verify = spawnSync(
    'openssl',
    ['verify', '-CAfile', 'ca.pem', '-purpose', 'sslserver', '-x509_strict', 'chain.pem'],
    { cwd: dir, encoding: 'utf8', timeout: 20_000 },
  );
  t.equal(verify.status, 0, verify.stderr);
  const client = spawnSync('openssl', ['verify', '-CAfile', 'ca.pem', '-purpose', 'sslclient', 'chain.pem'], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 20_000,
  });
  t.equal(client.status, 0, client.stderr);
  const text = spawnSync('openssl', ['x509', '-in', 'chain.pem', '-noout', '-text'], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 20_000,
  }).stdout;
  t.match(text, /Basic Constraints: critical\s+CA:FALSE/);
  t.match(text, /Key Usage: critical\s+Digital Signature, Key Encipherment/);
  t.match(text, /TLS Web Server Authentication, TLS Web Client Authentication/);
  t.match(text, /Subject Alternative Name:\s+URI:spiffe:\/\/cluster.local\/ns\/default\/sa\/web\n/);
  t.match(text, /sha256WithRSAEncryption/);
  const caText = spawnSync('openssl', ['x509', '-in', 'ca.pem', '-noout', '-text'], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 20_000,
  }).stdout;
  t.match(caText, /Basic Constraints: critical\s+CA:TRUE/);
  t.match(caText, /Key Usage: critical\s+Certificate Sign, CRL Sign/);
});
