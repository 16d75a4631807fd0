import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type Clock, systemClock } from '../util/clock.js';
import { FileWatcher } from '../util/file-watcher.js';
import { createLogger, type Logger } from '../util/logger.js';
import type { CertificatePaths, DescribedCertificateProvider } from './certificate-source.js';
import { WORKLOAD_FILES } from './pki/pki-files.js';
import { RotateListeners } from './rotate-listeners.js';
import type { WorkloadCertificate } from './types.js';
import { type CertificatePems, toWorkloadCertificate } from './workload-certificate.js';

/** The three files of a mounted workload certificate. */
export interface CertificateFilePaths {
  readonly certChainPath: string;
  readonly privateKeyPath: string;
  readonly rootCertPath: string;
}

/** Options of `FileCertificateProvider.open`: a directory with Istio's names, or explicit paths. */
export interface FileCertificateProviderOptions {
  readonly dir?: string;
  readonly paths?: CertificateFilePaths;
  readonly logger?: Logger;
  readonly clock?: Clock;
  /** Quiet time after the last file event before re-reading (a mount updates three files). */
  readonly debounceMs?: number;
}

/** Istio's file names in `dir`. */
export function pathsInDir(dir: string): CertificateFilePaths {
  return {
    certChainPath: join(dir, WORKLOAD_FILES.certChain),
    privateKeyPath: join(dir, WORKLOAD_FILES.key),
    rootCertPath: join(dir, WORKLOAD_FILES.rootCert),
  };
}

/**
 * A workload certificate mounted as files (cert-manager, SPIRE helpers, Istio's
 * `OUTPUT_CERTS`), watched. A changed set replaces the current one only when it parses, the key
 * belongs to the leaf and the leaf has not expired; otherwise the old one keeps serving.
 */
export class FileCertificateProvider implements DescribedCertificateProvider {
  private cert: WorkloadCertificate | null = null;
  private readonly listeners = new RotateListeners();
  private readonly watcher: FileWatcher;
  private readonly log: Logger;
  private readonly clock: Clock;
  /** Why the last read was refused, or null after a good one. */
  lastError: string | null = null;

  private constructor(
    readonly paths: CertificateFilePaths,
    o: FileCertificateProviderOptions,
  ) {
    this.log = o.logger ?? createLogger('info');
    this.clock = o.clock ?? systemClock;
    this.watcher = new FileWatcher(
      () => this.reload(),
      (m) => this.log.warn(`certificates: ${m}`),
      o.debounceMs ?? 100,
    );
  }

  /** Loads the files (throws when the first set is unusable) and starts watching them. */
  static open(o: FileCertificateProviderOptions): FileCertificateProvider {
    const paths = o.paths ?? (o.dir === undefined ? null : pathsInDir(o.dir));
    if (paths === null) throw new Error('FileCertificateProvider needs dir or paths');
    const p = new FileCertificateProvider(paths, o);
    p.cert = toWorkloadCertificate(p.read(), p.clock.wallNow());
    // Kubernetes updates secret volumes by swapping the `..data` symlink, never the files themselves.
    const dirs = new Set([paths.certChainPath, paths.privateKeyPath, paths.rootCertPath].map(dirname));
    p.watcher.watch([
      paths.certChainPath,
      paths.privateKeyPath,
      paths.rootCertPath,
      ...[...dirs].map((d) => join(d, '..data')),
    ]);
    return p;
  }

  current(): WorkloadCertificate | null {
    return this.cert;
  }

  onRotate(listener: () => void): () => void {
    return this.listeners.add(listener);
  }

  describe(): CertificatePaths {
    return { certChainPath: this.paths.certChainPath, rootCertPath: this.paths.rootCertPath };
  }

  /** Re-reads the files now; true when a new certificate was swapped in. */
  reload(): boolean {
    let next: WorkloadCertificate;
    try {
      next = toWorkloadCertificate(this.read(), this.clock.wallNow());
    } catch (err) {
      this.lastError = (err as Error).message;
      this.log.warn(
        `certificates in ${dirname(this.paths.certChainPath)} rejected, keeping the current ones: ${this.lastError}`,
      );
      return false;
    }
    this.lastError = null;
    const prev = this.cert;
    if (
      prev !== null &&
      prev.certChainPem === next.certChainPem &&
      prev.privateKeyPem === next.privateKeyPem &&
      prev.rootCertPem === next.rootCertPem
    ) {
      return false;
    }
    this.cert = next;
    this.log.info(
      `certificate rotated from files: ${next.spiffeId ?? '(no SPIFFE ID)'} valid until ${next.notAfter.toISOString()}`,
    );
    this.listeners.emit((m) => this.log.error(m));
    return true;
  }

  close(): void {
    this.watcher.close();
    this.listeners.clear();
  }

  private read(): CertificatePems {
    const readOne = (path: string, what: string): string => {
      try {
        return readFileSync(path, 'utf8');
      } catch (err) {
        throw new Error(
          `cannot read the ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
        );
      }
    };
    return {
      certChainPem: readOne(this.paths.certChainPath, 'certificate chain'),
      privateKeyPem: readOne(this.paths.privateKeyPath, 'private key'),
      rootCertPem: readOne(this.paths.rootCertPath, 'root bundle'),
    };
  }
}
