import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { FileCertificateProvider } from '../../../lib/tls/file-certificate-provider.js';
import { WORKLOAD_FILES, writePkiFiles } from '../../../lib/tls/pki/pki-files.js';
import { createRootCa } from '../../../lib/tls/pki/root-ca.js';
import { type IssuedCertificate, issueWorkloadCertificate } from '../../../lib/tls/pki/workload-cert.js';
import { createLogger } from '../../../lib/util/logger.js';
import { eventually } from '../../helpers/wait.js';

const ca = createRootCa({ trustDomain: 'cluster.local' });
const ID_A = 'spiffe://cluster.local/ns/default/sa/a';
const ID_B = 'spiffe://cluster.local/ns/default/sa/b';
const HOUR = 3_600_000;
const certA = issueWorkloadCertificate({ ca, spiffeId: ID_A, ttlMs: HOUR });
const certB = issueWorkloadCertificate({ ca, spiffeId: ID_B, ttlMs: HOUR });

function write(
  dir: string,
  c: Pick<IssuedCertificate, 'certChainPem' | 'privateKeyPem' | 'rootCertPem'>,
): void {
  writePkiFiles(
    dir,
    [
      { name: WORKLOAD_FILES.certChain, content: c.certChainPem, secret: false },
      { name: WORKLOAD_FILES.key, content: c.privateKeyPem, secret: true },
      { name: WORKLOAD_FILES.rootCert, content: c.rootCertPem, secret: false },
    ],
    true,
  );
}

function setup(): { dir: string; p: FileCertificateProvider } {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-certs-'));
  write(dir, certA);
  const p = FileCertificateProvider.open({ dir, logger: createLogger('off'), debounceMs: 20 });
  return { dir, p };
}

t.test('loads the directory and exposes the WorkloadCertificate fields', async (t) => {
  const { dir, p } = setup();
  t.teardown(() => p.close());
  const c = p.current()!;
  t.equal(c.spiffeId, ID_A);
  t.equal(c.certChainPem, certA.certChainPem);
  t.equal(c.privateKeyPem, certA.privateKeyPem);
  t.equal(c.rootCertPem, certA.rootCertPem);
  t.equal(c.notAfter.getTime(), certA.notAfter.getTime());
  t.equal(c.notBefore.getTime(), certA.notBefore.getTime());
  t.same(p.describe(), {
    certChainPath: join(dir, 'cert-chain.pem'),
    rootCertPath: join(dir, 'root-cert.pem'),
  });
});

t.test('a changed set on disk is swapped in and listeners are told', async (t) => {
  const { dir, p } = setup();
  t.teardown(() => p.close());
  let rotations = 0;
  p.onRotate(() => rotations++);
  write(dir, certB);
  await eventually(() => rotations === 1, 'rotation after the files changed');
  t.equal(p.current()!.spiffeId, ID_B);
  t.equal(p.reload(), false, 'same content again is not a rotation');
  t.equal(rotations, 1);
});

t.test('a broken set keeps the old certificate and records why', async (t) => {
  const { dir, p } = setup();
  t.teardown(() => p.close());
  let rotations = 0;
  p.onRotate(() => rotations++);
  const expired = issueWorkloadCertificate({ ca, spiffeId: ID_B, ttlMs: HOUR, now: Date.now() - 2 * HOUR });
  const cases: Array<[string, Parameters<typeof write>[1], RegExp]> = [
    ['key of another leaf', { ...certB, privateKeyPem: certA.privateKeyPem }, /does not belong to the leaf/],
    ['expired leaf', expired, /expired/],
    ['garbage chain', { ...certB, certChainPem: 'hello' }, /no PEM certificate/],
    ['garbage key', { ...certB, privateKeyPem: 'hello' }, /private key does not parse/],
    ['empty root', { ...certB, rootCertPem: '' }, /root bundle holds no PEM/],
    [
      'corrupt certificate',
      { ...certB, certChainPem: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n' },
      /does not parse/,
    ],
  ];
  for (const [what, files, reason] of cases) {
    write(dir, files);
    t.equal(p.reload(), false, what);
    t.match(p.lastError, reason, what);
    t.equal(p.current()!.spiffeId, ID_A, `${what}: old certificate kept`);
  }
  t.equal(rotations, 0);
  write(dir, certB);
  await eventually(() => p.current()!.spiffeId === ID_B, 'recovery with a good set');
  t.equal(p.lastError, null);
});

t.test('a missing file keeps the old certificate', async (t) => {
  const { p } = setup();
  t.teardown(() => p.close());
  rmSync(p.paths.privateKeyPath);
  t.equal(p.reload(), false);
  t.match(p.lastError, /cannot read the private key .*ENOENT/);
  t.equal(p.current()!.spiffeId, ID_A);
});

t.test('explicit paths and open errors', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-certs-'));
  writeFileSync(join(dir, 'tls.crt'), certA.certChainPem);
  writeFileSync(join(dir, 'tls.key'), certA.privateKeyPem);
  writeFileSync(join(dir, 'ca.crt'), certA.rootCertPem);
  const p = FileCertificateProvider.open({
    paths: {
      certChainPath: join(dir, 'tls.crt'),
      privateKeyPath: join(dir, 'tls.key'),
      rootCertPath: join(dir, 'ca.crt'),
    },
    logger: createLogger('off'),
  });
  t.equal(p.current()!.spiffeId, ID_A);
  p.close();
  t.throws(
    () => FileCertificateProvider.open({ dir: join(dir, 'missing'), logger: createLogger('off') }),
    /cannot read the certificate chain .*ENOENT/,
  );
  t.throws(() => FileCertificateProvider.open({ logger: createLogger('off') }), /needs dir or paths/);
});
