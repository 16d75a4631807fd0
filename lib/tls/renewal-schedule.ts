import type { Random } from '../util/random.js';

/** Istio's `SECRET_GRACE_PERIOD_RATIO`: renew once half of the lifetime is left. */
export const GRACE_RATIO = 0.5;
/**
 * Istio's `SECRET_GRACE_PERIOD_RATIO_JITTER`: the ratio varies by ±0.01 of the lifetime (±15 min
 * of a 24 h certificate), so a fleet started together does not renew together.
 */
export const JITTER_RATIO = 0.01;

/** Wall-clock epoch ms at which a certificate valid `[notBefore, notAfter]` should be renewed. */
export function renewAt(notBefore: Date, notAfter: Date, random: Random): number {
  const lifetime = notAfter.getTime() - notBefore.getTime();
  const half = lifetime * GRACE_RATIO;
  const jitter = (random.next() * 2 - 1) * JITTER_RATIO * lifetime;
  return notBefore.getTime() + lifetime - half + jitter;
}
