import { type Clock, systemClock } from '../util/clock.js';
import { createLogger, type Logger } from '../util/logger.js';
import { type Random, systemRandom } from '../util/random.js';
import { type Scheduler, systemScheduler, type TimerHandle } from '../util/scheduler.js';
import {
  type CertificatePaths,
  type DescribedCertificateProvider,
  INLINE_PATH,
} from './certificate-source.js';
import { generateKeyPairAsync, type KeyPairPem, type KeyType } from './pki/key-pair.js';
import { readCaDir } from './pki/pki-files.js';
import type { CertificateAuthority } from './pki/root-ca.js';
import { issueWorkloadCertificate } from './pki/workload-cert.js';
import { renewAt } from './renewal-schedule.js';
import { RotateListeners } from './rotate-listeners.js';
import type { WorkloadCertificate } from './types.js';
import { toWorkloadCertificate } from './workload-certificate.js';

/** Istio's `SECRET_TTL` default. */
export const DEFAULT_CERT_TTL_MS = 24 * 3_600_000;
const DEFAULT_RETRY_MS = 30_000;

/** Options of `CaIssuingProvider.start`: the CA (a directory, re-read at each renewal, or in memory) and the identity. */
export interface CaIssuingProviderOptions {
  readonly caDir?: string;
  readonly ca?: CertificateAuthority;
  readonly spiffeId: string;
  readonly ttlMs?: number;
  readonly keyType?: KeyType;
  readonly clock?: Clock;
  readonly random?: Random;
  readonly scheduler?: Scheduler;
  readonly logger?: Logger;
  /** Delay before retrying a failed renewal; default 30 s. */
  readonly retryMs?: number;
}

/**
 * Issues the sidecar's own SVID from a CA it holds (the job istiod's CA and istio-agent share in
 * a real mesh) and renews it when half of its lifetime is left, jittered by Istio's ±1 % of the lifetime.
 */
export class CaIssuingProvider implements DescribedCertificateProvider {
  private cert: WorkloadCertificate;
  private readonly listeners = new RotateListeners();
  private readonly clock: Clock;
  private readonly random: Random;
  private readonly scheduler: Scheduler;
  private readonly log: Logger;
  private readonly ttlMs: number;
  private timer: TimerHandle | null = null;
  private dueAt = 0;
  /** Wall-clock ms at which the current certificate was issued. */
  private issuedAt = 0;
  private closed = false;
  /** The renewal in progress (its key is being generated off the event loop). */
  private renewing: Promise<boolean> | null = null;
  /** Renewals that failed since the last success. */
  failures = 0;

  private constructor(private readonly o: CaIssuingProviderOptions) {
    this.clock = o.clock ?? systemClock;
    this.random = o.random ?? systemRandom;
    this.scheduler = o.scheduler ?? systemScheduler;
    this.log = o.logger ?? createLogger('info');
    this.ttlMs = o.ttlMs ?? DEFAULT_CERT_TTL_MS;
    this.cert = this.issue();
  }

  /** Issues the first certificate (throws when the CA is unusable) and schedules its renewal. */
  static start(o: CaIssuingProviderOptions): CaIssuingProvider {
    if (o.caDir === undefined && o.ca === undefined) throw new Error('CaIssuingProvider needs caDir or ca');
    const p = new CaIssuingProvider(o);
    p.log.info(`issued workload certificate ${p.cert.spiffeId} valid until ${p.cert.notAfter.toISOString()}`);
    p.scheduleRenewal();
    return p;
  }

  current(): WorkloadCertificate {
    return this.cert;
  }

  onRotate(listener: () => void): () => void {
    return this.listeners.add(listener);
  }

  describe(): CertificatePaths {
    return { certChainPath: INLINE_PATH, rootCertPath: INLINE_PATH };
  }

  /** Wall-clock epoch ms of the next renewal attempt (tests, logs). */
  get nextRenewalAt(): number {
    return this.dueAt;
  }

  /** Timer callback. */
  onTimer(): void {
    this.timer = null;
    if (this.closed) return;
    // The scheduler caps one delay at ~24.8 days; a longer lifetime takes several hops.
    const early = this.dueAt - this.clock.wallNow();
    if (early > 0) this.arm(early);
    else void this.renew();
  }

  /**
   * Renews with a key generated on the thread pool, then signs (fast) on the loop; traffic keeps
   * flowing meanwhile. Resolves to whether the new certificate is in use.
   */
  renew(): Promise<boolean> {
    this.renewing ??= generateKeyPairAsync(this.o.keyType ?? 'rsa')
      .then(
        (keys) => this.renewNow(keys),
        (err: Error) => this.renewNow(undefined, err),
      )
      .finally(() => {
        this.renewing = null;
      });
    return this.renewing;
  }

  /** The renewal in progress, if any (tests, shutdown). */
  get pending(): Promise<boolean> | null {
    return this.renewing;
  }

  /**
   * Issues a new certificate now (with `keys` when given, else a key generated here); on failure
   * keeps the current one and retries later.
   */
  renewNow(keys?: KeyPairPem, keyError?: Error): boolean {
    if (this.closed) return false;
    let next: WorkloadCertificate;
    try {
      if (keyError !== undefined) throw keyError;
      next = this.issue(keys);
    } catch (err) {
      this.failures++;
      const retry = this.o.retryMs ?? DEFAULT_RETRY_MS;
      this.log.error(
        `certificate renewal failed, keeping the current one, retrying in ${retry} ms: ${(err as Error).message}`,
      );
      this.dueAt = this.clock.wallNow() + retry;
      this.arm(retry);
      return false;
    }
    this.failures = 0;
    this.cert = next;
    this.log.info(`renewed workload certificate ${next.spiffeId} valid until ${next.notAfter.toISOString()}`);
    this.scheduleRenewal();
    this.listeners.emit((m) => this.log.error(m));
    return true;
  }

  close(): void {
    this.closed = true;
    if (this.timer !== null) this.scheduler.cancel(this.timer);
    this.timer = null;
    this.listeners.clear();
  }

  private issue(keys?: KeyPairPem): WorkloadCertificate {
    // Re-read the directory each time, so a CA replaced on disk signs the next certificate.
    const ca = this.o.ca ?? readCaDir(this.o.caDir!);
    const now = this.clock.wallNow();
    const issued = issueWorkloadCertificate({
      ca,
      spiffeId: this.o.spiffeId,
      ttlMs: this.ttlMs,
      now,
      ...(this.o.keyType === undefined ? {} : { keyType: this.o.keyType }),
      ...(keys === undefined ? {} : { keys }),
    });
    const cert = toWorkloadCertificate(issued, now);
    this.issuedAt = now;
    return cert;
  }

  private scheduleRenewal(): void {
    // The lifetime counts from issuance, as istio-agent's (`ExpireTime - CreatedTime`): notBefore
    // is back-dated a minute for clock skew, which would put a short TTL's renewal in the past.
    this.dueAt = renewAt(new Date(this.issuedAt), this.cert.notAfter, this.random);
    this.arm(Math.max(0, this.dueAt - this.clock.wallNow()));
  }

  private arm(ms: number): void {
    if (this.closed) return;
    if (this.timer !== null) this.scheduler.cancel(this.timer);
    this.timer = this.scheduler.schedule(ms, this);
  }
}
