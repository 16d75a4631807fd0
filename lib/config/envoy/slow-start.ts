import type { SlowStartConfig } from '../model.js';
import type { FieldReader } from '../reader.js';
import { RUNTIME_DOUBLE_RULES, SLOW_START_RULES } from './field-rules.js';

/**
 * `SlowStartConfig`. A missing or zero `slow_start_window` leaves slow start off, as in Envoy
 * (`isSlowStartEnabled` is window > 0), so null comes back.
 */
export function readSlowStart(r: FieldReader): SlowStartConfig | null {
  const windowMs = r.duration('slow_start_window') ?? 0;
  let aggression = 1;
  const ag = r.object('aggression');
  if (ag !== undefined) aggression = readRuntimeDouble(ag, 1, 'aggression');
  let minWeightPercent = 10;
  const mw = r.object('min_weight_percent');
  if (mw !== undefined) {
    minWeightPercent = mw.number('value', 0, 100) ?? 10;
    mw.finish();
  }
  r.finish(SLOW_START_RULES);
  if (windowMs <= 0) {
    r.warn('slow_start_window', 'missing or zero: slow start stays off');
    return null;
  }
  return { windowMs, aggression, minWeightFraction: minWeightPercent / 100 };
}

/**
 * `RuntimeDouble` → its `default_value` (Skiff has no runtime layer; `runtime_key` is required as
 * in Envoy but never looked up). A value ≤ 0 is replaced by `fallback` with a warning, which is
 * what Envoy does when it reads such a value for aggression or active_request_bias.
 */
export function readRuntimeDouble(r: FieldReader, fallback: number, what: string): number {
  // proto3: an absent default_value is 0.0 (for active_request_bias that means plain weights).
  const value = r.number('default_value', -Number.MAX_VALUE, Number.MAX_VALUE) ?? 0;
  r.requiredString('runtime_key');
  r.finish(RUNTIME_DOUBLE_RULES);
  const allowZero = what === 'active_request_bias';
  if (value < 0 || (value === 0 && !allowZero)) {
    r.warn('default_value', `${what} must be ${allowZero ? '≥ 0' : '> 0'}; using ${fallback} as Envoy does`);
    return fallback;
  }
  return value;
}
