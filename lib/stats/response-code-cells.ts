import { Counter } from './cells.js';

/**
 * Lazily bound per-status-code and per-class counters. Indexed by the code itself, so after the
 * first response with a given code the hot path is one array load and one add.
 */
export class ResponseCodeCells {
  private readonly byCode: (Counter | undefined)[] = new Array(600);
  private readonly byClass: (Counter | undefined)[] = new Array(6);
  private detached = false;

  constructor(
    private readonly bindCode: ((code: number) => Counter) | null,
    private readonly bindClass: (cls: number) => Counter,
  ) {}

  record(code: number): void {
    // Codes outside 100..599 (0 = no response) count only towards `_completed`.
    if (code < 100 || code > 599) return;
    if (this.bindCode !== null) {
      const c = this.byCode[code] ?? (this.byCode[code] = this.bind(() => this.bindCode!(code)));
      c.inc();
    }
    const cls = (code / 100) | 0;
    const k = this.byClass[cls] ?? (this.byClass[cls] = this.bind(() => this.bindClass(cls)));
    k.inc();
  }

  /** After removal, new codes go to private cells so no removed series is re-created. */
  detach(): void {
    this.detached = true;
  }

  private bind(fn: () => Counter): Counter {
    return this.detached ? new Counter() : fn();
  }
}
