/**
 * One upstream TLS configuration made runnable: a secure context built from its certificate
 * sources, and a connector that dials TCP + TLS with it. Hosts sharing a configuration share
 * one transport. A rotated workload certificate rebuilds the context; connections already open
 * keep the one they were made with.
 */
import { readFileSync } from 'node:fs';
import * as tls from 'node:tls';
import type { buildConnector } from 'undici';
import type { UpstreamTlsConfig } from '../config/model.js';
import type { CertificateProvider } from '../tls/types.js';
import { SanMatchers } from './san-check.js';
import { TlsConnectTimeoutError, tlsFailureReason, UpstreamTlsError } from './tls-errors.js';

/** Where a transport gets what its configuration names. */
export interface TlsTransportDeps {
  /** The sidecar's workload certificate (`{kind: 'workload'}` sources); absent = none. */
  readonly certificates?: CertificateProvider | undefined;
  /** Reads a PEM file; `readFileSync` by default. */
  readonly readFile?: ((path: string) => string) | undefined;
  readonly log: (message: string) => void;
}

const VERSION: Readonly<Record<UpstreamTlsConfig['minVersion'], tls.SecureVersion>> = {
  TLSv1_2: 'TLSv1.2',
  TLSv1_3: 'TLSv1.3',
};

/** Envoy's message when an SDS secret has not arrived yet. */
const NO_SECRET = 'TLS_error:|Secret is not supplied by SDS:TLS_error_end';

function acceptAnyIdentity(): undefined {
  return undefined;
}

function readPem(deps: TlsTransportDeps, path: string): string {
  return (deps.readFile ?? ((p: string) => readFileSync(p, 'utf8')))(path);
}

/** An upstream TLS configuration with its current secure context. */
export class TlsTransport {
  readonly config: UpstreamTlsConfig;
  private readonly deps: TlsTransportDeps;
  /** What every connection is made with (the context is swapped on rotation); null = unusable. */
  private options: tls.ConnectionOptions | null = null;
  /** Why `options` is null, as a transport failure reason. */
  private problem = NO_SECRET;
  private readonly unsubscribe: (() => void) | null = null;

  constructor(config: UpstreamTlsConfig, deps: TlsTransportDeps) {
    this.config = config;
    this.deps = deps;
    const usesWorkload =
      config.certificate?.kind === 'workload' || config.validation?.trust.kind === 'workload';
    if (usesWorkload && deps.certificates !== undefined) {
      this.unsubscribe = deps.certificates.onRotate(() => this.rebuild());
    }
    this.rebuild();
  }

  /** True while connections can be made (certificates present and parsed). */
  get ready(): boolean {
    return this.options !== null;
  }

  /** Rebuilds the secure context from the current certificates (new connections only). */
  rebuild(): void {
    const cfg = this.config;
    const workload = this.deps.certificates?.current() ?? null;
    const usesWorkload = cfg.certificate?.kind === 'workload' || cfg.validation?.trust.kind === 'workload';
    if (usesWorkload && workload === null) {
      this.options = null;
      this.problem = NO_SECRET;
      return;
    }
    try {
      const ctx: tls.SecureContextOptions = {
        minVersion: VERSION[cfg.minVersion],
        maxVersion: VERSION[cfg.maxVersion],
      };
      const cert = cfg.certificate;
      if (cert?.kind === 'workload') {
        ctx.cert = workload!.certChainPem;
        ctx.key = workload!.privateKeyPem;
      } else if (cert?.kind === 'files') {
        ctx.cert = readPem(this.deps, cert.certChainPath);
        ctx.key = readPem(this.deps, cert.privateKeyPath);
      }
      const trust = cfg.validation?.trust;
      // Only the configured roots: a mesh peer must chain to the mesh CA, not to a public one.
      if (trust?.kind === 'workload') ctx.ca = workload!.rootCertPem;
      else if (trust?.kind === 'file') ctx.ca = readPem(this.deps, trust.path);
      const v = cfg.validation;
      const verify = v !== null && !v.acceptUntrusted;
      this.options = {
        secureContext: tls.createSecureContext(ctx),
        ...(cfg.sni === '' ? {} : { servername: cfg.sni }),
        ...(cfg.alpnProtocols.length === 0 ? {} : { ALPNProtocols: [...cfg.alpnProtocols] }),
        rejectUnauthorized: verify,
        // Envoy never checks the host name; configured SANs replace it.
        checkServerIdentity:
          verify && v.subjectAltNames.length > 0
            ? new SanMatchers(v.subjectAltNames).checker()
            : acceptAnyIdentity,
      };
    } catch (err) {
      this.options = null;
      this.problem = `TLS_error:|${err instanceof Error ? err.message : String(err)}:TLS_error_end`;
      this.deps.log(`upstream TLS context unusable: ${String(err)}`);
    }
  }

  /** A connector for a host pool: TCP then TLS, both within `timeoutMs`. */
  connector(timeoutMs: number): buildConnector.connector {
    return (opts, cb) => this.connect(opts.hostname, Number(opts.port), timeoutMs, cb);
  }

  close(): void {
    this.unsubscribe?.();
  }

  private connect(host: string, port: number, timeoutMs: number, cb: buildConnector.Callback): void {
    const options = this.options;
    if (options === null) {
      const err = new UpstreamTlsError(this.problem);
      // The pool expects an asynchronous answer, as from a real dial.
      queueMicrotask(() => cb(err, null));
      return;
    }
    let tcpUp = false;
    let done = false;
    const socket = tls.connect({ ...options, host, port });
    const timer = setTimeout(() => socket.destroy(new TlsConnectTimeoutError(timeoutMs)), timeoutMs);
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 60_000);
    socket.once('connect', () => {
      tcpUp = true;
    });
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      if (done) return;
      done = true;
      cb(null, socket);
    });
    socket.on('error', (err: Error) => {
      clearTimeout(timer);
      if (done) return;
      done = true;
      const timeout = err instanceof TlsConnectTimeoutError;
      cb(tcpUp && !timeout ? new UpstreamTlsError(tlsFailureReason(err), err) : err, null);
    });
  }
}
