import type { DnsLookupFamily } from '../config/model.js';
import type { DnsResolver } from './dns-resolver.js';

/** One round's answers, per name in order: addresses, or null when that lookup failed. */
export type DnsRound = readonly (readonly string[] | null)[];

export interface DnsRefresherOptions {
  /** Log prefix, e.g. the cluster name. */
  readonly owner: string;
  readonly names: readonly string[];
  readonly family: DnsLookupFamily;
  readonly refreshRateMs: number;
  /** Bound on the first round before `start()` resolves anyway. */
  readonly initialTimeoutMs: number;
  readonly resolver: DnsResolver;
  readonly log: (message: string) => void;
  readonly onRound: (round: DnsRound) => void;
}

/**
 * Re-resolves a DNS cluster's names every `refreshRateMs`. Rounds never overlap (the next one
 * is scheduled when the previous one ends) and the timer is unref'd so it never keeps the
 * process alive. Failures are logged once per name until it resolves again.
 */
export class DnsRefresher {
  private readonly opts: DnsRefresherOptions;
  private readonly failing: boolean[];
  private inFlight: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(opts: DnsRefresherOptions) {
    this.opts = opts;
    this.failing = opts.names.map(() => false);
  }

  /** Runs the first round; resolves when it finished or `initialTimeoutMs` passed. */
  start(): Promise<void> {
    const first = this.refresh();
    return new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        this.opts.log(
          `cluster ${this.opts.owner}: initial DNS resolution not finished after ` +
            `${this.opts.initialTimeoutMs} ms; serving without hosts until it does`,
        );
        resolve();
      }, this.opts.initialTimeoutMs);
      t.unref();
      void first.then(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  /** One round now (joins a round already running). Never rejects. */
  refresh(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.inFlight !== null) return this.inFlight;
    this.clearTimer();
    const round = this.runRound()
      .catch((err: unknown) =>
        this.opts.log(`cluster ${this.opts.owner}: DNS update failed: ${describe(err)}`),
      )
      .finally(() => {
        this.inFlight = null;
        this.schedule();
      });
    this.inFlight = round;
    return round;
  }

  stop(): void {
    this.stopped = true;
    this.clearTimer();
  }

  private async runRound(): Promise<void> {
    const { names, family, resolver } = this.opts;
    const round = await Promise.all(
      names.map(async (name, i): Promise<string[] | null> => {
        try {
          const addresses = await resolver.resolve(name, family);
          if (this.failing[i]) this.opts.log(`cluster ${this.opts.owner}: DNS ${name} resolves again`);
          this.failing[i] = false;
          return addresses;
        } catch (err) {
          if (!this.failing[i]) {
            this.opts.log(
              `cluster ${this.opts.owner}: DNS resolution of ${name} failed (${describe(err)}); ` +
                'keeping the last known hosts',
            );
          }
          this.failing[i] = true;
          return null;
        }
      }),
    );
    if (!this.stopped) this.opts.onRound(round);
  }

  private schedule(): void {
    if (this.stopped || this.timer !== null) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.refresh();
    }, this.opts.refreshRateMs);
    this.timer.unref();
  }

  private clearTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}

function describe(err: unknown): string {
  if (typeof err === 'object' && err !== null) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    const message = (err as { message?: unknown }).message;
    if (typeof message === 'string') return message;
  }
  return String(err);
}
