import { spawnSync } from 'node:child_process';
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  X509Certificate,
} from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import forge from 'node-forge';
import t from 'tap';
import { issuerParts, keyIdentifier, parseDer, spkiDer } from '../../../../lib/tls/pki/cert-der.js';
import { splitPemCertificates } from '../../../../lib/tls/pki/inspect.js';
import { generateKeyPair, type KeyType } from '../../../../lib/tls/pki/key-pair.js';
import { type CertificateAuthority, createRootCa } from '../../../../lib/tls/pki/root-ca.js';
import { issueWorkloadCertificate } from '../../../../lib/tls/pki/workload-cert.js';
import { signCertificate } from '../../../../lib/tls/pki/x509-builder.js';
import { hasOpenssl, isPkcs8Pem, makeCa } from '../../../helpers/pki.js';

const ID = 'spiffe://cluster.local/ns/default/sa/web';
const TYPES: readonly KeyType[] = ['rsa', 'ec'];
const cas = {
  rsa: createRootCa({ trustDomain: 'cluster.local' }),
  ec: createRootCa({ trustDomain: 'cluster.local', keyType: 'ec' }),
};
const issue = (ca: CertificateAuthority, keyType: KeyType) =>
  issueWorkloadCertificate({ ca, spiffeId: ID, ttlMs: 3_600_000, keyType });

/** The signature AlgorithmIdentifiers of a certificate: the TBS one and the outer one, as DER hex. */
function signatureAlgorithms(pem: string): [string, string] {
  const cert = parseDer(new X509Certificate(pem).raw);
  const [tbs, outer] = cert.value as forge.asn1.Asn1[];
  const inner = (tbs!.value as forge.asn1.Asn1[])[2]!;
  const hex = (n: forge.asn1.Asn1): string => forge.util.bytesToHex(forge.asn1.toDer(n).getBytes());
  return [hex(inner), hex(outer!)];
}

t.test('ec keys are P-256 with a PKCS#8 private key', async (t) => {
  const k = generateKeyPair('ec');
  t.ok(isPkcs8Pem(k.privateKeyPem), 'PKCS#8 PEM private key');
  t.equal(
    createPublicKey(k.publicKeyPem).export({ type: 'spki', format: 'pem' }),
    k.publicKeyPem,
    'SPKI PEM',
  );
  const key = createPrivateKey(k.privateKeyPem);
  t.equal(key.asymmetricKeyType, 'ec');
  t.equal(key.asymmetricKeyDetails?.namedCurve, 'prime256v1');
});

t.test('ec root CA: self-signed, CA:TRUE, P-256 key that matches', async (t) => {
  const c = new X509Certificate(cas.ec.certPem);
  t.ok(c.ca);
  t.ok(c.verify(c.publicKey), 'self-signature verifies');
  t.ok(c.checkPrivateKey(createPrivateKey(cas.ec.keyPem)));
  t.equal(c.publicKey.asymmetricKeyType, 'ec');
  t.equal(c.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');
  t.equal(c.subject, 'O=cluster.local\nCN=Skiff root CA');
  t.ok(isPkcs8Pem(cas.ec.keyPem), 'PKCS#8 PEM private key');
});

for (const caType of TYPES) {
  for (const leafType of TYPES) {
    t.test(`${leafType} leaf under ${caType} CA verifies and keeps the SVID extensions`, async (t) => {
      const ca = cas[caType];
      const leaf = issue(ca, leafType);
      const c = new X509Certificate(splitPemCertificates(leaf.certChainPem)[0]!);
      const root = new X509Certificate(ca.certPem);
      t.ok(c.verify(root.publicKey), 'signed by the CA');
      t.notOk(c.verify(c.publicKey), 'not by itself');
      t.ok(c.checkIssued(root));
      t.ok(c.checkPrivateKey(createPrivateKey(leaf.privateKeyPem)), 'key matches');
      t.notOk(c.ca);
      t.equal(c.publicKey.asymmetricKeyType, leafType);
      t.equal(c.subjectAltName, `URI:${ID}`);
      const eku = (c as unknown as { extKeyUsage?: string[] }).extKeyUsage ?? c.keyUsage;
      t.same([...(eku ?? [])].sort(), ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']);
      const [inner, outer] = signatureAlgorithms(c.toString());
      t.equal(inner, outer, 'TBS and outer algorithm agree');
      // By the signer's key: ecdsa-with-SHA256 with absent parameters, sha256WithRSA with NULL.
      t.equal(inner, caType === 'ec' ? '300a06082a8648ce3d040302' : '300d06092a864886f70d01010b0500');
      t.equal(c.issuer, root.subject);
    });
  }
}

t.test('key identifiers: RFC 5280 method 1, the same as forge for RSA', async (t) => {
  const rsaPem = cas.rsa.certPem;
  const forgeSki = forge.pki.certificateFromPem(rsaPem).generateSubjectKeyIdentifier().getBytes();
  const spki = new X509Certificate(rsaPem).publicKey.export({ type: 'spki', format: 'der' });
  t.equal(keyIdentifier(spki).toString('binary'), forgeSki, 'RSA: forge’s value, as before');
  t.equal(issuerParts(rsaPem).keyId.toString('binary'), forgeSki, 'read back from the extension');
  const ec = generateKeyPair('ec');
  const point = spkiDer(ec.publicKeyPem).subarray(-65);
  t.equal(point[0], 0x04, 'uncompressed P-256 point closes the SPKI');
  t.same(keyIdentifier(spkiDer(ec.publicKeyPem)), createHash('sha1').update(point).digest());
});

t.test('a CA key that is neither RSA nor EC is refused', async (t) => {
  const ed = generateKeyPairSync('ed25519', {
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const fields = {
    subject: [{ shortName: 'O', value: 'x' }],
    issuer: 'self' as const,
    publicKeyPem: ed.publicKey,
    notBefore: new Date(),
    notAfter: new Date(Date.now() + 60_000),
    extensions: [],
  };
  t.throws(
    () => signCertificate(fields, ed.privateKey),
    /a ed25519 CA key cannot sign certificates \(rsa or ec only\)/,
  );
});

const withOpenssl = { skip: hasOpenssl() ? false : 'openssl not installed' };

function openssl(dir: string, args: string[]): { status: number | null; out: string } {
  const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8', timeout: 20_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

t.test('openssl verifies every chain and reads the EC fields', withOpenssl, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-pki-ec-'));
  for (const caType of TYPES) {
    writeFileSync(join(dir, `${caType}-root.pem`), cas[caType].certPem);
    for (const leafType of TYPES) {
      const name = `${leafType}-under-${caType}.pem`;
      writeFileSync(join(dir, name), issue(cas[caType], leafType).certChainPem);
      for (const purpose of ['sslserver', 'sslclient']) {
        const v = openssl(dir, [
          'verify',
          '-x509_strict',
          '-purpose',
          purpose,
          '-CAfile',
          `${caType}-root.pem`,
          name,
        ]);
        t.equal(v.status, 0, `${name} ${purpose}: ${v.out}`);
      }
    }
  }
  const leaf = openssl(dir, ['x509', '-in', 'ec-under-ec.pem', '-noout', '-text']).out;
  t.match(leaf, /Signature Algorithm: ecdsa-with-SHA256/);
  t.match(leaf, /Public Key Algorithm: id-ecPublicKey/);
  t.match(leaf, /ASN1 OID: prime256v1/);
  t.match(leaf, /Key Usage: critical\s+Digital Signature, Key Encipherment/);
  t.match(leaf, /URI:spiffe:\/\/cluster.local\/ns\/default\/sa\/web\n/);
  const root = openssl(dir, ['x509', '-in', 'ec-root.pem', '-noout', '-text']).out;
  const ski = /Subject Key Identifier:\s+([0-9A-F:]+)/.exec(root)?.[1];
  const aki = /Authority Key Identifier:\s+(?:keyid:)?([0-9A-F:]+)/.exec(leaf)?.[1];
  t.ok(ski !== undefined && ski === aki, `AKI ${aki} = the CA's SKI ${ski}`);
  t.match(
    openssl(dir, ['x509', '-in', 'rsa-under-ec.pem', '-noout', '-text']).out,
    /Signature Algorithm: ecdsa-with-SHA256[\s\S]+rsaEncryption/,
  );
  t.match(
    openssl(dir, ['x509', '-in', 'ec-under-rsa.pem', '-noout', '-text']).out,
    /sha256WithRSAEncryption[\s\S]+id-ecPublicKey/,
  );
});

t.test('an EC leaf from a plug-in CA made by openssl', withOpenssl, async (t) => {
  const plug = makeCa('plug-in');
  const leaf = issue({ certPem: plug.certPem, keyPem: plug.keyPem }, 'ec');
  t.ok(
    new X509Certificate(splitPemCertificates(leaf.certChainPem)[0]!).verify(
      new X509Certificate(plug.certPem).publicKey,
    ),
  );
  writeFileSync(join(plug.dir, 'ec-leaf.pem'), leaf.certChainPem);
  const v = openssl(plug.dir, ['verify', '-x509_strict', '-CAfile', 'ca-cert.pem', 'ec-leaf.pem']);
  t.equal(v.status, 0, v.out);
  const ski = /Subject Key Identifier:\s+([0-9A-F:]+)/.exec(
    openssl(plug.dir, ['x509', '-in', 'ca-cert.pem', '-noout', '-text']).out,
  )?.[1];
  const aki = /Authority Key Identifier:\s+(?:keyid:)?([0-9A-F:]+)/.exec(
    openssl(plug.dir, ['x509', '-in', 'ec-leaf.pem', '-noout', '-text']).out,
  )?.[1];
  t.ok(ski !== undefined && ski === aki, `AKI ${aki} = the plug-in CA's SKI ${ski}`);
});
