/**
 * The certificate, key and roots one TLS filter chain serves with, from files (watched) or the
 * workload certificate provider. Each change rebuilds the options and tells the chain, which
 * swaps its secure context: new handshakes use the new material, open connections keep theirs.
 */
import { X509Certificate } from 'node:crypto';
import { type FSWatcher, readFileSync, watch } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { DownstreamTlsConfig } from '../config/model.js';
import { SkiffError } from '../errors.js';
import { parseSubjectAltNames } from '../tls/pki/inspect.js';
import type { CertificateProvider } from '../tls/types.js';

/** What a server secure context is built from. */
export interface ServerTlsMaterial {
  readonly cert: string;
  readonly key: string;
  /** Roots client certificates are verified against; null = none requested. */
  readonly ca: string | null;
  /** Our first URI SAN (XFCC `By=`), or "". */
  readonly localUriSan: string;
}

/** True when the chain needs the sidecar's workload certificate or roots. */
export function usesWorkloadIdentity(tls: DownstreamTlsConfig): boolean {
  return tls.certificate.kind === 'workload' || tls.validation?.trust.kind === 'workload';
}

// Editors and kubelet replace files by rename; batch the burst of events into one reload.
const WATCH_SETTLE_MS = 100;

/** Current material for one chain, and notifications when it changes. */
export class TlsContextSource {
  private material: ServerTlsMaterial | null = null;
  private readonly watchers: FSWatcher[] = [];
  private unsubscribe: (() => void) | null = null;
  private settle: NodeJS.Timeout | null = null;
  private listener: (() => void) | null = null;

  constructor(
    private readonly cfg: DownstreamTlsConfig,
    private readonly provider: CertificateProvider | null,
    private readonly onError: (err: Error) => void,
  ) {
    if (usesWorkloadIdentity(cfg)) {
      if (provider === null)
        throw new SkiffError('SKIFF_ERR_CONFIG', 'a TLS filter chain needs the workload certificate');
      this.unsubscribe = provider.onRotate(() => this.reload());
    }
    this.material = this.load();
    for (const path of this.filePaths()) this.watchFile(path);
  }

  /** The material to serve, or null while the workload certificate is not issued yet. */
  current(): ServerTlsMaterial | null {
    return this.material;
  }

  /** Called after the material changed. */
  onChange(listener: () => void): void {
    this.listener = listener;
  }

  close(): void {
    this.unsubscribe?.();
    for (const w of this.watchers) w.close();
    if (this.settle !== null) clearTimeout(this.settle);
  }

  private reload(): void {
    try {
      const next = this.load();
      if (next === null) return;
      this.material = next;
      this.listener?.();
    } catch (err) {
      // Keep serving the last good certificate; a half-written file gets another event.
      this.onError(err instanceof Error ? err : new Error(String(err)));
    }
  }

  private filePaths(): string[] {
    const out: string[] = [];
    const c = this.cfg.certificate;
    if (c.kind === 'files') out.push(c.certChainPath, c.privateKeyPath);
    const t = this.cfg.validation?.trust;
    if (t?.kind === 'file') out.push(t.path);
    return out;
  }

  private watchFile(path: string): void {
    const name = basename(path);
    const w = watch(dirname(path), { persistent: false }, (_event, file) => {
      if (file !== null && file !== name && !file.startsWith('..')) return;
      if (this.settle !== null) clearTimeout(this.settle);
      this.settle = setTimeout(() => {
        this.settle = null;
        this.reload();
      }, WATCH_SETTLE_MS);
      this.settle.unref();
    });
    w.on('error', (err) => this.onError(err));
    this.watchers.push(w);
  }

  private load(): ServerTlsMaterial | null {
    const workload = this.provider?.current() ?? null;
    const c = this.cfg.certificate;
    let cert: string;
    let key: string;
    if (c.kind === 'files') {
      cert = readFileSync(c.certChainPath, 'utf8');
      key = readFileSync(c.privateKeyPath, 'utf8');
    } else {
      if (workload === null) return null;
      cert = workload.certChainPem;
      key = workload.privateKeyPem;
    }
    const trust = this.cfg.validation?.trust;
    let ca: string | null = null;
    if (trust?.kind === 'file') ca = readFileSync(trust.path, 'utf8');
    else if (trust?.kind === 'workload') {
      if (workload === null) return null;
      ca = workload.rootCertPem;
    }
    return { cert, key, ca, localUriSan: firstUriSan(cert) };
  }
}

function firstUriSan(chainPem: string): string {
  try {
    return parseSubjectAltNames(new X509Certificate(chainPem).subjectAltName).uri[0] ?? '';
  } catch {
    return '';
  }
}
