/**
 * Cells bound once per distinct combination of the label values at `keyIdx` (ISTIO_LABELS
 * indexes), so a recurring combination costs one key string and one Map lookup. Shared by the
 * HTTP and TCP reporters.
 */
export class LabelCellCache<C> {
  private readonly cells = new Map<string, C>();

  constructor(
    private readonly keyIdx: readonly number[],
    /** Binds the cells for a full values array (bind time only: the families copy the values). */
    private readonly bind: (values: readonly string[]) => C,
    private readonly limit = 4096,
  ) {}

  get(v: readonly string[]): C {
    const idx = this.keyIdx;
    let key = v[idx[0]!]!;
    for (let i = 1; i < idx.length; i++) key += '\u0001' + v[idx[i]!]!;
    let cells = this.cells.get(key);
    if (cells === undefined) {
      // A runaway label (a Host header per request) must not grow memory without bound; the
      // families keep their children, only this lookup cache restarts.
      if (this.cells.size >= this.limit) this.cells.clear();
      cells = this.bind(v);
      this.cells.set(key, cells);
    }
    return cells;
  }
}
