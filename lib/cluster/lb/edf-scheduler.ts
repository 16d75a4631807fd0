/**
 * Earliest-deadline-first scheduler over entry indices (Envoy's weighted round robin): each
 * entry is due every 1/weight; the earliest deadline wins, ties go to the earlier insertion.
 * A binary heap in typed arrays keeps picks O(log n) and allocation-free.
 */
export class EdfScheduler {
  private readonly deadline: Float64Array;
  private readonly order: Float64Array;
  private readonly entry: Int32Array;
  private size = 0;
  private now = 0;
  private seq = 0;
  private readonly weightOf: (index: number) => number;

  /** `weightOf(i)` is read each time entry i is (re)queued, so it may change between picks. */
  constructor(count: number, weightOf: (index: number) => number) {
    this.deadline = new Float64Array(count);
    this.order = new Float64Array(count);
    this.entry = new Int32Array(count);
    this.weightOf = weightOf;
    for (let i = 0; i < count; i++) this.push(i);
  }

  /** Returns the entry due first and requeues it; -1 when empty. */
  pickAndAdd(): number {
    if (this.size === 0) return -1;
    const top = this.entry[0]!;
    this.now = this.deadline[0]!;
    this.size--;
    if (this.size > 0) {
      this.move(this.size, 0);
      this.siftDown(0);
    }
    this.push(top);
    return top;
  }

  private push(index: number): void {
    const w = this.weightOf(index);
    // A zero weight would never be due; keep it schedulable but last.
    const period = w > 0 ? 1 / w : Number.MAX_SAFE_INTEGER;
    const at = this.size++;
    this.deadline[at] = this.now + period;
    this.order[at] = this.seq++;
    this.entry[at] = index;
    this.siftUp(at);
  }

  private less(a: number, b: number): boolean {
    const da = this.deadline[a]!;
    const db = this.deadline[b]!;
    return da < db || (da === db && this.order[a]! < this.order[b]!);
  }

  private swap(a: number, b: number): void {
    const d = this.deadline[a]!;
    const o = this.order[a]!;
    const e = this.entry[a]!;
    this.move(b, a);
    this.deadline[b] = d;
    this.order[b] = o;
    this.entry[b] = e;
  }

  private move(from: number, to: number): void {
    this.deadline[to] = this.deadline[from]!;
    this.order[to] = this.order[from]!;
    this.entry[to] = this.entry[from]!;
  }

  private siftUp(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private siftDown(i: number): void {
    for (;;) {
      const l = 2 * i + 1;
      if (l >= this.size) return;
      const r = l + 1;
      const child = r < this.size && this.less(r, l) ? r : l;
      if (!this.less(child, i)) return;
      this.swap(i, child);
      i = child;
    }
  }
}
