/** Mean of the hosts' success rates and the ejection threshold below it. */
export interface SuccessRateThreshold {
  readonly mean: number;
  readonly threshold: number;
}

/**
 * Envoy's success-rate rule: threshold = mean − factor × population stdev. With rates
 * {50, 100, 100, 100, 100} and factor 1.9: mean 90, stdev 20, threshold 52, so 50 is an outlier.
 * `rates` must not be empty.
 */
export function successRateThreshold(rates: readonly number[], stdevFactor: number): SuccessRateThreshold {
  let sum = 0;
  for (const r of rates) sum += r;
  const mean = sum / rates.length;
  let variance = 0;
  for (const r of rates) variance += (r - mean) * (r - mean);
  variance /= rates.length;
  return { mean, threshold: mean - stdevFactor * Math.sqrt(variance) };
}
