/**
 * Case-preserving, order-preserving header list over Node's flat `rawHeaders` layout
 * (`[name, value, name, value, …]`). Names keep the case the client sent when forwarded. Lookups
 * take a lower-case name and compare lengths first, lower-casing a stored name only when the
 * lengths agree: most names are never lower-cased at all (that was ~15 string allocations per
 * proxied request). Holds a few dozen entries at most, where a linear scan beats a Map.
 */
export class HeaderMap {
  /** Flat `[name, value, …]` in wire case. */
  private raw: string[];

  constructor(raw: string[]) {
    this.raw = raw;
  }

  /** Number of header lines. */
  get size(): number {
    return this.raw.length >>> 1;
  }

  /** True when line j's name equals `name` (lower-case) ignoring case. */
  private is(j: number, name: string): boolean {
    const n = this.raw[2 * j]!;
    return n.length === name.length && (n === name || n.toLowerCase() === name);
  }

  /** Value by lower-case name, comma-joined when repeated (`set-cookie` joined too; use all()). */
  get(name: string): string | undefined {
    const raw = this.raw;
    let out: string | undefined;
    for (let i = 0; i < raw.length; i += 2) {
      const n = raw[i]!;
      if (n.length !== name.length || (n !== name && n.toLowerCase() !== name)) continue;
      const v = raw[i + 1]!;
      out = out === undefined ? v : `${out}, ${v}`;
    }
    return out;
  }

  /** Every value of a header, in order. */
  all(name: string): string[] {
    const out: string[] = [];
    for (let j = 0; j < this.size; j++) if (this.is(j, name)) out.push(this.raw[2 * j + 1]!);
    return out;
  }

  has(name: string): boolean {
    return this.indexOf(name, 0) !== -1;
  }

  /** How many lines carry this name (duplicate Host detection). */
  count(name: string): number {
    let n = 0;
    for (let j = 0; j < this.size; j++) if (this.is(j, name)) n++;
    return n;
  }

  private indexOf(name: string, from: number): number {
    for (let j = from; j < this.size; j++) if (this.is(j, name)) return j;
    return -1;
  }

  /**
   * Replaces every line of `name` with one line, at the position of the first. Like every
   * mutator here, `name` must already be lower-case (config keys are lower-cased at load).
   */
  set(name: string, value: string): void {
    const idx = this.indexOf(name, 0);
    if (idx === -1) {
      this.add(name, value);
      return;
    }
    this.raw[2 * idx + 1] = value;
    if (this.indexOf(name, idx + 1) !== -1) this.removeFrom(name, idx + 1);
  }

  add(name: string, value: string): void {
    this.raw.push(name, value);
  }

  remove(name: string): void {
    if (this.indexOf(name, 0) !== -1) this.removeFrom(name, 0);
  }

  private removeFrom(name: string, start: number): void {
    const raw: string[] = this.raw.slice(0, 2 * start);
    for (let j = start; j < this.size; j++) {
      if (this.is(j, name)) continue;
      raw.push(this.raw[2 * j]!, this.raw[2 * j + 1]!);
    }
    this.raw = raw;
  }

  /** Replaces every line at once (single-pass filters build the survivors themselves). */
  replaceAll(raw: string[]): void {
    this.raw = raw;
  }

  /** Name at line j, lower-cased (computed on each call: for the rare whole-list checks). */
  nameAt(j: number): string {
    return this.raw[2 * j]!.toLowerCase();
  }

  /** Name at line j as it came off the wire. */
  rawNameAt(j: number): string {
    return this.raw[2 * j]!;
  }

  valueAt(j: number): string {
    return this.raw[2 * j + 1]!;
  }

  /** The flat wire-case array; callers must not keep it across mutations. */
  flat(): string[] {
    return this.raw;
  }
}
