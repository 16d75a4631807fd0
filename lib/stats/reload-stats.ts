import type { Counter } from './cells.js';
import type { Families } from './families.js';
import type { StatDef } from './stat-def.js';

export const RELOAD = {
  total: {
    name: 'skiff_config_reload_total',
    type: 'counter',
    help: 'Config reloads by result: applied, or rejected (the previous config kept serving)',
    labels: ['result'],
  },
} as const satisfies Record<string, StatDef>;

export const RELOAD_STATS: readonly StatDef[] = Object.values(RELOAD);

/** Outcomes of live config reloads. */
export class ReloadStats {
  readonly applied: Counter;
  readonly rejected: Counter;

  constructor(f: Families) {
    this.applied = f.counter(RELOAD.total, ['applied']);
    this.rejected = f.counter(RELOAD.total, ['rejected']);
  }
}
