import type { RequestMirrorPolicyConfig } from '../config/model.js';
import type { Random } from '../util/random.js';
import type { RequestBodyBuffer } from './request-body-buffer.js';
import type { ClusterSource } from './router-filter.js';
import type { ShadowTracker } from './shadow-tracker.js';

/**
 * Envoy's featureEnabled(FractionalPercent): a uniform draw in [0, denominator) below the
 * numerator. 0 % and 100 % (or more, which Envoy clamps) draw nothing.
 */
export function mirrorSampled(f: RequestMirrorPolicyConfig['fraction'], random: Random): boolean {
  if (f.numerator <= 0) return false;
  if (f.numerator >= f.denominator) return true;
  return random.int(f.denominator) < f.numerator;
}

/**
 * The policies whose fraction hits for this request, in config order; null when none does, so a
 * request that is not mirrored allocates nothing.
 */
export function sampleMirrors(
  policies: readonly RequestMirrorPolicyConfig[],
  random: Random,
): RequestMirrorPolicyConfig[] | null {
  let out: RequestMirrorPolicyConfig[] | null = null;
  for (const p of policies) {
    if (mirrorSampled(p.fraction, random)) (out ??= []).push(p);
  }
  return out;
}

/**
 * Envoy's shadowAppendedHost: `-shadow` goes before the port, if any (`foo:8080` →
 * `foo-shadow:8080`, `[::1]:80` → `[::1]-shadow:80`); a colon inside IPv6 brackets is not a port.
 */
export function shadowHost(host: string): string {
  const colon = host.lastIndexOf(':');
  if (colon === -1 || host.lastIndexOf(']') > colon) return `${host}-shadow`;
  return `${host.slice(0, colon)}-shadow${host.slice(colon)}`;
}

/** A copy of flat `[name, value, …]` headers with every Host line suffixed (see shadowHost). */
export function shadowHeaders(flat: readonly string[]): string[] {
  const out = flat.slice();
  for (let i = 0; i < out.length; i += 2) {
    const n = out[i]!;
    if (n.length === 4 && n.toLowerCase() === 'host') out[i + 1] = shadowHost(out[i + 1]!);
  }
  return out;
}

/** What sending shadows needs from the router. */
export interface MirrorDeps {
  readonly clusters: ClusterSource;
  readonly shadows: ShadowTracker;
}

/**
 * One request's shadows, waiting for its body: Envoy's buffered shadowing, so a slow or stuck
 * mirror can never push back on the real request's body. Method, path and headers are copied as
 * the first attempt sends them (later retries edit the live headers).
 */
export class PendingMirror {
  private readonly plain: string[] | null;
  private readonly suffixed: string[] | null;

  constructor(
    private readonly deps: MirrorDeps,
    private readonly policies: readonly RequestMirrorPolicyConfig[],
    private readonly method: string,
    private readonly path: string,
    flat: readonly string[],
    private readonly timeoutMs: number,
  ) {
    let plain = false;
    let suffixed = false;
    for (const p of policies) {
      if (p.disableShadowHostSuffixAppend) plain = true;
      else suffixed = true;
    }
    this.plain = plain ? flat.slice() : null;
    this.suffixed = suffixed ? shadowHeaders(flat) : null;
  }

  /** The body ended: mirror it unless it outgrew the buffer (then `retry_or_shadow_abandoned`). */
  afterBody(buffer: RequestBodyBuffer): void {
    const body = buffer.copy();
    if (body !== null) this.send(body);
  }

  /** Sends one shadow per policy; a mirror cluster that is gone (reload) is skipped. */
  send(body: Buffer | null): void {
    const { deps, method, path, timeoutMs } = this;
    for (const p of this.policies) {
      const cluster = deps.clusters.get(p.cluster);
      if (cluster === undefined) continue;
      const headers = p.disableShadowHostSuffixAppend ? this.plain! : this.suffixed!;
      deps.shadows.send(cluster, { method, path, headers, body }, timeoutMs);
    }
  }
}
