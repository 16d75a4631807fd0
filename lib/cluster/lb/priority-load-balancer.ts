import type { Random } from '../../util/random.js';
import type { Host, LoadBalancer, LoadBalancerContext } from '../types.js';
import { mix32 } from './hash.js';
import type { HostPicker } from './picker.js';

/** Envoy's default overprovisioning factor (1.4) in percent: 72% healthy still takes 100% load. */
const OVERPROVISIONING = 140;

/** Optional observers; `onHealthyPanic` counts `lb_healthy_panic` (one call per panic pick). */
export interface LoadBalancerHooks {
  onHealthyPanic?(): void;
}

export interface PriorityLoadBalancerOptions {
  readonly healthyPanicThresholdPercent: number;
  readonly random: Random;
  /** Builds the per-level picker over that level's active hosts (never empty). */
  readonly newPicker: (hosts: readonly Host[]) => HostPicker;
  readonly hooks?: LoadBalancerHooks | undefined;
  /** Sees every host before the pickers are rebuilt (slow start stamps start times here). */
  readonly observeHosts?: ((hosts: readonly Host[]) => void) | undefined;
}

interface Level {
  /** Healthy hosts, or every host of the level when it is in panic. */
  readonly active: readonly Host[];
  readonly picker: HostPicker;
  readonly panic: boolean;
  /** Cumulative share of load (0..100] up to and including this level. */
  readonly loadEnd: number;
}

interface Group {
  readonly hosts: Host[];
  healthy: Host[];
  health: number;
}

/**
 * The part every policy shares (Envoy's LoadBalancerBase): splits load across priority levels by
 * their health, applies the healthy panic threshold, and avoids excluded hosts. Per-level
 * picking is delegated to a HostPicker rebuilt only when membership or health changed.
 */
export class PriorityLoadBalancer implements LoadBalancer {
  private readonly opts: PriorityLoadBalancerOptions;
  private levels: Level[] = [];
  private seenHosts: Host[] = [];
  private seenHealth: Uint8Array = new Uint8Array(0);

  constructor(opts: PriorityLoadBalancerOptions, hosts: readonly Host[]) {
    this.opts = opts;
    this.rebuild(hosts);
  }

  chooseHost(ctx: LoadBalancerContext): Host | null {
    const levels = this.levels;
    if (levels.length === 0) return null;
    const hash = ctx.hash === null ? null : mix32(ctx.hash >>> 0);
    let level = levels[0]!;
    if (levels.length > 1) {
      // Hash policies keep affinity across levels too, as Envoy's hash balancers do.
      const r = hash === null ? this.opts.random.int(100) : hash % 100;
      for (let i = 0; i < levels.length; i++) {
        level = levels[i]!;
        if (r < level.loadEnd) break;
      }
    }
    if (level.panic) this.opts.hooks?.onHealthyPanic?.();
    const first = level.picker.pick(hash, 0);
    const excluded = ctx.excluded;
    if (first === null || excluded === null || !excluded.has(first)) return first;
    const second = level.picker.pick(hash, 1);
    if (second !== null && !excluded.has(second)) return second;
    // Give up on the policy and take any other usable host; a hashed request starts from its
    // hash so its retries stay on the same fallback host.
    const active = level.active;
    const start = hash === null ? this.opts.random.int(active.length) : hash % active.length;
    for (let i = 0; i < active.length; i++) {
      const h = active[(start + i) % active.length]!;
      if (!excluded.has(h)) return h;
    }
    return second ?? first;
  }

  refresh(hosts: readonly Host[]): void {
    if (this.unchanged(hosts)) return;
    this.rebuild(hosts);
  }

  private unchanged(hosts: readonly Host[]): boolean {
    const seen = this.seenHosts;
    if (hosts.length !== seen.length) return false;
    for (let i = 0; i < hosts.length; i++) {
      const h = hosts[i]!;
      if (h !== seen[i] || (h.healthy() ? 1 : 0) !== this.seenHealth[i]) return false;
    }
    return true;
  }

  private rebuild(hosts: readonly Host[]): void {
    this.seenHosts = hosts.slice();
    this.seenHealth = Uint8Array.from(hosts, (h) => (h.healthy() ? 1 : 0));
    this.opts.observeHosts?.(hosts);
    const groups = groupByPriority(hosts);
    let totalHealth = 0;
    for (const g of groups) {
      g.health = Math.min(100, Math.floor((OVERPROVISIONING * g.healthy.length) / g.hosts.length));
      totalHealth += g.health;
    }
    totalHealth = Math.min(100, totalHealth);
    const threshold = this.opts.healthyPanicThresholdPercent;
    const levels: Level[] = [];
    if (totalHealth === 0) {
      // Nothing healthy anywhere: Envoy sends everything to the first level in panic, unless
      // panic is disabled, in which case there is no host to pick.
      if (threshold > 0 && groups.length > 0) levels.push(this.level(groups[0]!.hosts, true, 100));
      this.levels = levels;
      return;
    }
    // Each level takes what its health allows of what the levels before it left over.
    let remaining = 100;
    const loads = groups.map((g) => {
      const load = Math.min(remaining, Math.floor((g.health * 100) / totalHealth));
      remaining -= load;
      return load;
    });
    // Rounding leftovers go to the first level that has healthy hosts.
    loads[groups.findIndex((g) => g.health > 0)]! += remaining;
    let end = 0;
    for (let i = 0; i < groups.length; i++) {
      const g = groups[i]!;
      if (loads[i] === 0) continue;
      end += loads[i]!;
      // Never panic while the levels together are fully available (Envoy's rule).
      const panic = totalHealth < 100 && (100 * g.healthy.length) / g.hosts.length < threshold;
      levels.push(this.level(panic ? g.hosts : g.healthy, panic, end));
    }
    this.levels = levels;
  }

  private level(active: readonly Host[], panic: boolean, loadEnd: number): Level {
    return { active, picker: this.opts.newPicker(active), panic, loadEnd };
  }
}

function groupByPriority(hosts: readonly Host[]): Group[] {
  const byPriority = new Map<number, Group>();
  for (const h of hosts) {
    let g = byPriority.get(h.priority);
    if (g === undefined) {
      g = { hosts: [], healthy: [], health: 0 };
      byPriority.set(h.priority, g);
    }
    g.hosts.push(h);
    if (h.healthy()) g.healthy.push(h);
  }
  return [...byPriority.entries()].sort((a, b) => a[0] - b[0]).map((e) => e[1]);
}
