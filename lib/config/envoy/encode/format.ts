/**
 * Value spellings shared by the encoders: protobuf-JSON durations, FractionalPercent with its
 * denominator name, and a builder that drops unset or default-valued fields.
 */
import type { FractionalPercentConfig } from '../../model.js';

/** A JSON object in Envoy v3 shape (proto field names). */
export type Json = Record<string, unknown>;

/**
 * Keeps the fields that are not `undefined`, in the order given (so the output reads in the
 * order of the Envoy proto and stays stable from run to run).
 */
export function fields(entries: Json): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(entries)) if (v !== undefined) out[k] = v;
  return out;
}

/** `value`, or undefined when it equals Envoy's default (so `fields` leaves it out). */
export function unless<T>(value: T, envoyDefault: T): T | undefined {
  return value === envoyDefault ? undefined : value;
}

/** A list, or undefined when it is empty. */
export function nonEmpty<T>(list: readonly T[]): readonly T[] | undefined {
  return list.length === 0 ? undefined : list;
}

/** True, or undefined: for proto bools whose default is false. */
export function flag(value: boolean): true | undefined {
  return value ? true : undefined;
}

/**
 * Milliseconds → `"1.5s"`. The decoder computes `seconds * 1000 + nanos / 1e6`; recovering the
 * same whole seconds and nanos here makes decode(encode(ms)) give back the identical number.
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`cannot encode ${ms} ms as a Duration`);
  let seconds = Math.floor(ms / 1000);
  let nanos = Math.round((ms - seconds * 1000) * 1e6);
  if (nanos >= 1e9) {
    seconds += 1;
    nanos -= 1e9;
  } else if (nanos < 0) {
    seconds -= 1;
    nanos += 1e9;
  }
  if (nanos === 0) return `${seconds}s`;
  return `${seconds}.${String(nanos).padStart(9, '0').replace(/0+$/, '')}s`;
}

/** A duration field, left out when it holds `envoyDefault` (or is null). */
export function duration(ms: number | null, envoyDefault?: number): string | undefined {
  return ms === null || ms === envoyDefault ? undefined : formatDuration(ms);
}

const DENOMINATOR_NAMES: Readonly<Record<FractionalPercentConfig['denominator'], string>> = {
  100: 'HUNDRED',
  10000: 'TEN_THOUSAND',
  1000000: 'MILLION',
};

/** `type.v3.FractionalPercent` with the denominator by name (always written, for clarity). */
export function fractionalPercent(p: FractionalPercentConfig): Json {
  return { numerator: p.numerator, denominator: DENOMINATOR_NAMES[p.denominator] };
}

/** True for exactly 100/HUNDRED, the default of several runtime fractions. */
export function isWhole(p: FractionalPercentConfig): boolean {
  return p.numerator === 100 && p.denominator === 100;
}

/**
 * The `value` of a `type.v3.Percent` the decoder divided by `scale` (e.g. min_weight_percent → a
 * fraction). Multiplying back can leave float noise (0.07 × 100 = 7.000000000000001), so the
 * shortest spelling that divides back to the same number is used (for values the decoder
 * produced, one of up to 17 significant digits does; the tests walk a spread of them).
 */
export function undivide(value: number, scale: number): number {
  const product = value * scale;
  for (let digits = 1; digits <= 17; digits++) {
    const candidate = Number(product.toPrecision(digits));
    if (candidate / scale === value) return candidate;
  }
  return product;
}

/** `address: {socket_address: {address, port_value}}`. */
export function socketAddress(a: { readonly address: string; readonly port: number }): Json {
  return { socket_address: { address: a.address, port_value: a.port } };
}
