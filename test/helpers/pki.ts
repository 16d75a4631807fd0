/**
 * Test-time certificates made with the `openssl` CLI (never committed; a different
 * implementation from Skiff's own issuer, so tests check interoperability too).
 */
import { spawnSync } from 'node:child_process';
import { createPrivateKey } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function openssl(args: string[], cwd: string): void {
  const r = spawnSync('openssl', args, { cwd, encoding: 'utf8', timeout: 20_000 });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${r.stderr}`);
}

/** A CA: its directory, certificate and key (PEM). */
export interface TestCa {
  readonly dir: string;
  readonly certPem: string;
  readonly keyPem: string;
  readonly certPath: string;
  readonly keyPath: string;
}

/** A leaf certificate issued by a TestCa. */
export interface TestCert {
  readonly certPem: string;
  readonly keyPem: string;
  readonly certPath: string;
  readonly keyPath: string;
  /** The issuing CA's certificate (the root bundle to trust). */
  readonly caPem: string;
  readonly caPath: string;
}

/** True when the openssl CLI is installed (.ci/run installs it). */
export function hasOpenssl(): boolean {
  return spawnSync('openssl', ['version'], { encoding: 'utf8' }).status === 0;
}

/** A self-signed RSA-2048 root CA, valid from yesterday for 10 years. */
export function makeCa(name = 'skiff-test-root'): TestCa {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-pki-'));
  openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'ca-key.pem',
      '-out',
      'ca-cert.pem',
      '-days',
      '3650',
      '-subj',
      `/O=cluster.local/CN=${name}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ],
    dir,
  );
  // `openssl ca` (not `x509 -req`) because OpenSSL 3.0 can only set validity dates there.
  writeFileSync(
    join(dir, 'ca.cnf'),
    [
      '[ca]',
      'default_ca = d',
      '[d]',
      'dir = .',
      'database = index.txt',
      'new_certs_dir = .',
      'serial = serial',
      'default_md = sha256',
      'policy = p',
      'unique_subject = no',
      '[p]',
      'organizationName = optional',
      'commonName = optional',
      '',
    ].join('\n'),
  );
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'serial'), '1000\n');
  return {
    dir,
    certPem: readFileSync(join(dir, 'ca-cert.pem'), 'utf8'),
    keyPem: readFileSync(join(dir, 'ca-key.pem'), 'utf8'),
    certPath: join(dir, 'ca-cert.pem'),
    keyPath: join(dir, 'ca-key.pem'),
  };
}

export interface LeafOptions {
  /** URI SANs, e.g. `spiffe://cluster.local/ns/default/sa/web`. */
  readonly uris?: readonly string[];
  readonly dns?: readonly string[];
  /** Validity window relative to now, in days (negative = in the past). Default -1 … +1. */
  readonly fromDays?: number;
  readonly toDays?: number;
  readonly name?: string;
  /** Make it CA:TRUE with keyCertSign: an intermediate presented as a leaf (refusal tests). */
  readonly ca?: boolean;
}

/** An RSA-2048 leaf (serverAuth + clientAuth, CA:false) signed by `ca`. */
export function issueLeaf(ca: TestCa, o: LeafOptions = {}): TestCert {
  const name = o.name ?? `leaf-${Math.random().toString(36).slice(2, 8)}`;
  const dir = ca.dir;
  const sans = [...(o.uris ?? []).map((u) => `URI:${u}`), ...(o.dns ?? []).map((d) => `DNS:${d}`)];
  const ext = [
    `basicConstraints=critical,CA:${o.ca === true ? 'TRUE' : 'FALSE'}`,
    `keyUsage=critical,digitalSignature,keyEncipherment${o.ca === true ? ',keyCertSign' : ''}`,
    'extendedKeyUsage=serverAuth,clientAuth',
    ...(sans.length > 0 ? [`subjectAltName=${sans.join(',')}`] : []),
  ].join('\n');
  writeFileSync(join(dir, `${name}.ext`), `${ext}\n`);
  openssl(
    [
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      `${name}-key.pem`,
      '-out',
      `${name}.csr`,
      '-subj',
      '/O=cluster.local',
    ],
    dir,
  );
  const fmt = (days: number): string => {
    const d = new Date(Date.now() + days * 86_400_000);
    return `${d.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;
  };
  openssl(
    [
      'ca',
      '-batch',
      '-notext',
      '-config',
      'ca.cnf',
      '-cert',
      'ca-cert.pem',
      '-keyfile',
      'ca-key.pem',
      '-in',
      `${name}.csr`,
      '-out',
      `${name}-cert.pem`,
      '-extfile',
      `${name}.ext`,
      '-startdate',
      fmt(o.fromDays ?? -1),
      '-enddate',
      fmt(o.toDays ?? 1),
    ],
    dir,
  );
  return {
    certPem: readFileSync(join(dir, `${name}-cert.pem`), 'utf8'),
    keyPem: readFileSync(join(dir, `${name}-key.pem`), 'utf8'),
    certPath: join(dir, `${name}-cert.pem`),
    keyPath: join(dir, `${name}-key.pem`),
    caPem: ca.certPem,
    caPath: ca.certPath,
  };
}

/** True when `pem` is a private key in PKCS#8 PEM (what Skiff writes), checked by re-exporting it. */
export function isPkcs8Pem(pem: string): boolean {
  try {
    return createPrivateKey(pem).export({ type: 'pkcs8', format: 'pem' }) === pem;
  } catch {
    return false;
  }
}
