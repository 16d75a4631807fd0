/** One local reply as the admin dashboard lists it. */
export interface LocalReplyEntry {
  /** Wall-clock ms. */
  readonly timeMs: number;
  readonly status: number;
  /** ResponseFlag bitmask. */
  readonly flags: number;
  /** `%RESPONSE_CODE_DETAILS%`, e.g. `no_healthy_upstream`. */
  readonly details: string;
  readonly method: string;
  readonly authority: string;
  readonly path: string;
  /** The cluster the request was routed to, or "" (no route, no cluster). */
  readonly cluster: string;
}

interface Slot {
  timeMs: number;
  status: number;
  flags: number;
  details: string;
  method: string;
  authority: string;
  path: string;
  cluster: string;
}

/**
 * The last `capacity` local replies of one Skiff instance. Slots are allocated once and
 * overwritten in place, so recording costs a few field stores and keeps only string references
 * the stream already held; copies are made only when someone reads (the admin dashboard).
 */
export class LocalReplyRing {
  private readonly slots: Slot[];
  private next = 0;
  private size = 0;

  constructor(readonly capacity = 50) {
    this.slots = [];
    for (let i = 0; i < capacity; i++) {
      this.slots.push({
        timeMs: 0,
        status: 0,
        flags: 0,
        details: '',
        method: '',
        authority: '',
        path: '',
        cluster: '',
      });
    }
  }

  record(
    timeMs: number,
    status: number,
    flags: number,
    details: string,
    method: string,
    authority: string,
    path: string,
    cluster: string,
  ): void {
    const s = this.slots[this.next]!;
    s.timeMs = timeMs;
    s.status = status;
    s.flags = flags;
    s.details = details;
    s.method = method;
    s.authority = authority;
    s.path = path;
    s.cluster = cluster;
    this.next = (this.next + 1) % this.capacity;
    if (this.size < this.capacity) this.size++;
  }

  /** Newest first (copies). */
  recent(): LocalReplyEntry[] {
    const out: LocalReplyEntry[] = [];
    for (let i = 1; i <= this.size; i++) {
      const s = this.slots[(this.next - i + this.capacity) % this.capacity]!;
      out.push({ ...s });
    }
    return out;
  }
}
