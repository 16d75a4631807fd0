import type { CorsPolicyConfig, FractionalPercentConfig } from '../../config/model.js';
import type { HeaderMap } from '../../http/header-map.js';
import { StringMatcher } from '../../router/string-matcher.js';

/** CORS request and response header names (lower-case, as HeaderMap mutators require). */
export const CorsHeader = {
  origin: 'origin',
  requestMethod: 'access-control-request-method',
  requestHeaders: 'access-control-request-headers',
  requestPrivateNetwork: 'access-control-request-private-network',
  allowOrigin: 'access-control-allow-origin',
  allowCredentials: 'access-control-allow-credentials',
  allowMethods: 'access-control-allow-methods',
  allowHeaders: 'access-control-allow-headers',
  maxAge: 'access-control-max-age',
  exposeHeaders: 'access-control-expose-headers',
  allowPrivateNetwork: 'access-control-allow-private-network',
} as const;

function firstNonEmpty(policies: readonly CorsPolicyConfig[], pick: (p: CorsPolicyConfig) => string): string {
  for (const p of policies) {
    const v = pick(p);
    if (v !== '') return v;
  }
  return '';
}

function firstSet(
  policies: readonly CorsPolicyConfig[],
  pick: (p: CorsPolicyConfig) => boolean | null,
): boolean {
  for (const p of policies) {
    const v = pick(p);
    if (v !== null) return v;
  }
  return false;
}

/**
 * The CORS policy in effect for one route (or weighted cluster), compiled once. Envoy's filter
 * collects every CorsPolicy on the path weighted cluster → route → virtual host → route
 * configuration and takes each setting from the most specific policy that sets it; the
 * enabled/shadow fractions and forward_not_matching_preflights come from the most specific one.
 */
export class CompiledCors {
  readonly allowMethods: string;
  readonly allowHeaders: string;
  readonly exposeHeaders: string;
  readonly maxAge: string;
  readonly allowCredentials: boolean;
  readonly allowPrivateNetworkAccess: boolean;
  readonly forwardNotMatchingPreflights: boolean;
  readonly filterEnabled: FractionalPercentConfig;
  readonly shadowEnabled: FractionalPercentConfig | null;
  /** Some matcher accepts the literal "*": Envoy then allows every origin. */
  private readonly anyOrigin: boolean;
  private readonly origins: readonly StringMatcher[];

  /** `policies` most specific first, at least one. */
  constructor(policies: readonly CorsPolicyConfig[], where: string) {
    const top = policies[0]!;
    const withOrigins = policies.find((p) => p.allowOrigins.length > 0);
    this.origins = Object.freeze(
      (withOrigins?.allowOrigins ?? []).map(
        (m, i) => new StringMatcher(m, `${where}.allow_origin_string_match[${i}]`),
      ),
    );
    this.anyOrigin = this.origins.some((m) => m.match('*'));
    this.allowMethods = firstNonEmpty(policies, (p) => p.allowMethods);
    this.allowHeaders = firstNonEmpty(policies, (p) => p.allowHeaders);
    this.exposeHeaders = firstNonEmpty(policies, (p) => p.exposeHeaders);
    this.maxAge = firstNonEmpty(policies, (p) => p.maxAge);
    this.allowCredentials = firstSet(policies, (p) => p.allowCredentials);
    this.allowPrivateNetworkAccess = firstSet(policies, (p) => p.allowPrivateNetworkAccess);
    this.forwardNotMatchingPreflights = top.forwardNotMatchingPreflights;
    this.filterEnabled = top.filterEnabled;
    this.shadowEnabled = top.shadowEnabled;
    Object.freeze(this);
  }

  originAllowed(origin: string): boolean {
    if (this.anyOrigin) return true;
    const origins = this.origins;
    for (let i = 0; i < origins.length; i++) if (origins[i]!.match(origin)) return true;
    return false;
  }

  /**
   * Headers of the local preflight answer besides what encodeHeaders adds for a matched origin
   * (allow-origin, allow-credentials, expose-headers). `*` in allow_methods / allow_headers
   * echoes the request's Access-Control-Request-Method / -Headers, as Envoy does.
   */
  preflightHeaders(req: HeaderMap): string[] {
    const out: string[] = [];
    if (this.allowCredentials) out.push(CorsHeader.allowCredentials, 'true');
    const methods = this.allowMethods;
    if (methods !== '') {
      out.push(
        CorsHeader.allowMethods,
        methods === '*' ? (req.get(CorsHeader.requestMethod) ?? '') : methods,
      );
    }
    const headers = this.allowHeaders;
    if (headers !== '') {
      out.push(
        CorsHeader.allowHeaders,
        headers === '*' ? (req.get(CorsHeader.requestHeaders) ?? '') : headers,
      );
    }
    if (this.maxAge !== '') out.push(CorsHeader.maxAge, this.maxAge);
    if (this.allowPrivateNetworkAccess && req.get(CorsHeader.requestPrivateNetwork) === 'true') {
      out.push(CorsHeader.allowPrivateNetwork, 'true');
    }
    return out;
  }

  /** Response headers of a request whose origin matched (preflight answers included). */
  decorate(headers: HeaderMap, origin: string): void {
    headers.set(CorsHeader.allowOrigin, origin);
    if (this.allowCredentials) headers.set(CorsHeader.allowCredentials, 'true');
    if (this.exposeHeaders !== '') headers.set(CorsHeader.exposeHeaders, this.exposeHeaders);
  }
}
