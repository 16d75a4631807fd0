import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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
