import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CertificatePems } from '../workload-certificate.js';
import type { CertificateAuthority } from './root-ca.js';

/** Istio's plug-in CA files (the `cacerts` secret). */
export const CA_FILES = {
  caCert: 'ca-cert.pem',
  caKey: 'ca-key.pem',
  rootCert: 'root-cert.pem',
  certChain: 'cert-chain.pem',
} as const;

/** The files Istio mounts for a workload certificate. */
export const WORKLOAD_FILES = {
  certChain: 'cert-chain.pem',
  key: 'key.pem',
  rootCert: 'root-cert.pem',
} as const;

/** One file to write; private keys get mode 0600. */
export interface OutputFile {
  readonly name: string;
  readonly content: string;
  readonly secret: boolean;
}

/** A new self-signed root as Istio's plug-in CA files: it is its own root and chain. */
export function rootCaFiles(ca: CertificateAuthority): OutputFile[] {
  return [
    { name: CA_FILES.caCert, content: ca.certPem, secret: false },
    { name: CA_FILES.caKey, content: ca.keyPem, secret: true },
    { name: CA_FILES.rootCert, content: ca.certPem, secret: false },
    { name: CA_FILES.certChain, content: ca.certPem, secret: false },
  ];
}

/** A workload certificate as the files Istio mounts. */
export function workloadFiles(c: CertificatePems): OutputFile[] {
  return [
    { name: WORKLOAD_FILES.certChain, content: c.certChainPem, secret: false },
    { name: WORKLOAD_FILES.key, content: c.privateKeyPem, secret: true },
    { name: WORKLOAD_FILES.rootCert, content: c.rootCertPem, secret: false },
  ];
}

/** Thrown for a problem the user can fix (missing or existing files): the CLI exits 2. */
export class PkiFileError extends Error {}

function readPem(dir: string, name: string, missing: string[]): string {
  const path = join(dir, name);
  if (!existsSync(path)) {
    missing.push(name);
    return '';
  }
  return readFileSync(path, 'utf8');
}

/** Reads an Istio plug-in CA directory (`ca-cert.pem`, `ca-key.pem`; chain and root optional). */
export function readCaDir(dir: string): CertificateAuthority {
  if (!existsSync(dir)) throw new PkiFileError(`CA directory ${dir} does not exist`);
  const missing: string[] = [];
  const certPem = readPem(dir, CA_FILES.caCert, missing);
  const keyPem = readPem(dir, CA_FILES.caKey, missing);
  if (missing.length > 0) {
    throw new PkiFileError(
      `CA directory ${dir} lacks ${missing.join(' and ')} (create one with: skiff pki init)`,
    );
  }
  const optional: string[] = [];
  const chainPem = readPem(dir, CA_FILES.certChain, optional);
  const rootCertPem = readPem(dir, CA_FILES.rootCert, optional);
  return {
    certPem,
    keyPem,
    ...(chainPem === '' ? {} : { chainPem }),
    ...(rootCertPem === '' ? {} : { rootCertPem }),
  };
}

/**
 * Writes `files` into `dir` (created if needed). Without `force`, refuses before writing anything
 * when one exists. Each file is written to a temporary name and renamed, so a watcher never
 * reads half a file; keys are 0600 from the start.
 */
export function writePkiFiles(dir: string, files: readonly OutputFile[], force: boolean): void {
  if (!force) {
    const existing = files.filter((f) => existsSync(join(dir, f.name))).map((f) => f.name);
    if (existing.length > 0) {
      throw new PkiFileError(`${dir} already holds ${existing.join(', ')} (use --force to overwrite)`);
    }
  }
  mkdirSync(dir, { recursive: true });
  for (const f of files) {
    const path = join(dir, f.name);
    const tmp = join(dir, `.${f.name}.${process.pid}.tmp`);
    const mode = f.secret ? 0o600 : 0o644;
    writeFileSync(tmp, f.content, { mode });
    // The umask may have narrowed the mode; set it exactly.
    chmodSync(tmp, mode);
    renameSync(tmp, path);
  }
}
