import type { Gauge } from './cells.js';
import type { Families } from './families.js';
import type { StatDef } from './stat-def.js';

export const CERT = {
  expiry: {
    name: 'skiff_cert_expiry_seconds',
    type: 'gauge',
    help: 'Seconds until the current workload certificate expires (negative once expired)',
    labels: [],
  },
} as const satisfies Record<string, StatDef>;

export const CERT_STATS: readonly StatDef[] = Object.values(CERT);

/** Expiry of the workload certificate, computed when Prometheus scrapes; absent without one. */
export class CertStats {
  private expiry: (() => number | null) | null = null;
  private gauge: Gauge | null = null;

  constructor(private readonly f: Families) {
    f.declare(CERT_STATS, () => this.refresh());
  }

  /** `fn` returns the seconds left, or null while there is no certificate. */
  setSource(fn: () => number | null): void {
    this.expiry = fn;
  }

  private refresh(): void {
    const seconds = this.expiry?.() ?? null;
    if (seconds === null) {
      this.gauge?.set(0);
      return;
    }
    // Created on first use, so a proxy without certificates exports no sample.
    this.gauge ??= this.f.gauge(CERT.expiry, []);
    this.gauge.set(Math.floor(seconds));
  }
}
