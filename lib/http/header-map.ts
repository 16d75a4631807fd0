/**
 * Case-preserving, order-preserving header list over Node's flat `rawHeaders` layout
 * (`[name, value, name, value, …]`). Lookups compare against lower-cased names computed once, so
 * names keep the case the client sent when forwarded. Holds at most a few dozen entries, where a
 * linear scan beats building a Map per request.
 */
export class HeaderMap {
  /** Flat `[name, value, …]` in wire case; may contain holes marked by `null` names after removes. */
  private raw: string[];
  private lower: string[];

  /** `lower` may be passed when the caller already lower-cased the names (one pass, not two). */
  constructor(raw: string[], lower?: string[]) {
    this.raw = raw;
    if (lower !== undefined) {
      this.lower = lower;
      return;
    }
    const out = new Array<string>(raw.length >>> 1);
    for (let i = 0, j = 0; i < raw.length; i += 2, j++) out[j] = raw[i]!.toLowerCase();
    this.lower = out;
  }

  /** Number of header lines. */
  get size(): number {
    return this.lower.length;
  }

  /** Value by lower-case name, comma-joined when repeated (`set-cookie` joined too; use all()). */
  get(name: string): string | undefined {
    const lower = this.lower;
    let out: string | undefined;
    for (let j = 0; j < lower.length; j++) {
      if (lower[j] === name) {
        const v = this.raw[2 * j + 1]!;
        out = out === undefined ? v : `${out}, ${v}`;
      }
    }
    return out;
  }

  /** Every value of a header, in order. */
  all(name: string): string[] {
    const out: string[] = [];
    for (let j = 0; j < this.lower.length; j++) if (this.lower[j] === name) out.push(this.raw[2 * j + 1]!);
    return out;
  }

  has(name: string): boolean {
    return this.lower.indexOf(name) !== -1;
  }

  /** How many lines carry this name (duplicate Host detection). */
  count(name: string): number {
    let n = 0;
    for (let j = 0; j < this.lower.length; j++) if (this.lower[j] === name) n++;
    return n;
  }

  /**
   * Replaces every line of `name` with one line, at the position of the first. Like every
   * mutator here, `name` must already be lower-case (config keys are lower-cased at load).
   */
  set(name: string, value: string): void {
    const lowerName = name;
    const idx = this.lower.indexOf(lowerName);
    if (idx === -1) {
      this.add(name, value);
      return;
    }
    this.raw[2 * idx + 1] = value;
    if (this.lower.indexOf(lowerName, idx + 1) !== -1) this.removeFrom(lowerName, idx + 1);
  }

  add(name: string, value: string): void {
    this.raw.push(name, value);
    this.lower.push(name);
  }

  remove(name: string): void {
    if (this.lower.indexOf(name) !== -1) this.removeFrom(name, 0);
  }

  private removeFrom(name: string, start: number): void {
    const raw: string[] = this.raw.slice(0, 2 * start);
    const lower: string[] = this.lower.slice(0, start);
    for (let j = start; j < this.lower.length; j++) {
      if (this.lower[j] === name) continue;
      raw.push(this.raw[2 * j]!, this.raw[2 * j + 1]!);
      lower.push(this.lower[j]!);
    }
    this.raw = raw;
    this.lower = lower;
  }

  /** Lower-cased name at line j. */
  nameAt(j: number): string {
    return this.lower[j]!;
  }

  valueAt(j: number): string {
    return this.raw[2 * j + 1]!;
  }

  /** The flat wire-case array; callers must not keep it across mutations. */
  flat(): string[] {
    return this.raw;
  }
}
