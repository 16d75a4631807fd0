import type { CorsPolicyConfig, FractionalPercentConfig, StringMatcherConfig } from '../model.js';
import type { FieldReader } from '../reader.js';
import { readFractionalPercent } from './fault.js';
import { CORS_POLICY_RULES, RUNTIME_FRACTIONAL_PERCENT_RULES } from './field-rules.js';
import { readStringMatcher } from './matchers.js';

export const CORS_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.cors.v3.Cors';
export const CORS_POLICY_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.cors.v3.CorsPolicy';

const ALL: FractionalPercentConfig = { numerator: 100, denominator: 100 };

// Node throws on these when writing response headers; the policy's strings are echoed verbatim.
const BAD_HEADER_CHARS = /[\r\n\0]/;

/** The `Cors` message of the http_filters entry is empty: policies come per route. */
export function readCorsFilter(r: FieldReader | undefined): void {
  r?.finish();
}

function headerString(r: FieldReader, field: string): string {
  const v = r.string(field) ?? '';
  if (BAD_HEADER_CHARS.test(v)) {
    r.error(field, 'must not contain CR, LF or NUL (it is sent as a response header value)');
    return '';
  }
  return v;
}

/** `max_age` is a proto string; an integer written without quotes is accepted as its text. */
function readMaxAge(r: FieldReader): string {
  const v = r.raw('max_age');
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return String(v);
  if (v !== undefined && typeof v !== 'string') {
    r.error('max_age', 'expected a string of seconds (e.g. "86400")');
    return '';
  }
  return headerString(r, 'max_age');
}

/** `RuntimeFractionalPercent`: `default_value` is required; `runtime_key` is ignored (no runtime layer). */
function readRuntimeFraction(r: FieldReader, field: string): FractionalPercentConfig | null {
  const f = r.object(field);
  if (f === undefined) return null;
  if (!f.has('default_value')) f.error(null, 'missing required field "default_value"');
  const p = readFractionalPercent(f, 'default_value');
  f.finish(RUNTIME_FRACTIONAL_PERCENT_RULES);
  return p;
}

/** Decodes an `envoy.extensions.filters.http.cors.v3.CorsPolicy` (a typed_per_filter_config value). */
export function readCorsPolicy(r: FieldReader): CorsPolicyConfig {
  const allowOrigins: StringMatcherConfig[] = [];
  for (const o of r.objects('allow_origin_string_match')) {
    const m = readStringMatcher(o);
    if (m !== undefined) allowOrigins.push(m);
  }
  const cfg: CorsPolicyConfig = {
    allowOrigins,
    allowMethods: headerString(r, 'allow_methods'),
    allowHeaders: headerString(r, 'allow_headers'),
    exposeHeaders: headerString(r, 'expose_headers'),
    maxAge: readMaxAge(r),
    // BoolValue wrappers: protobuf JSON writes them as bare booleans; unset stays null.
    allowCredentials: r.bool('allow_credentials') ?? null,
    allowPrivateNetworkAccess: r.bool('allow_private_network_access') ?? null,
    forwardNotMatchingPreflights: r.bool('forward_not_matching_preflights') ?? true,
    filterEnabled: readRuntimeFraction(r, 'filter_enabled') ?? ALL,
    shadowEnabled: readRuntimeFraction(r, 'shadow_enabled'),
  };
  r.finish(CORS_POLICY_RULES);
  return cfg;
}

/**
 * The deprecated route-level `cors` (VirtualHost.cors, RouteAction.cors). Skiff takes CORS
 * policies only from typed_per_filter_config, so the old field is rejected with directions.
 */
export function rejectLegacyCors(r: FieldReader): void {
  if (!r.has('cors')) return;
  r.skip('cors');
  r.error(
    'cors',
    `the deprecated "cors" field is not supported; add envoy.filters.http.cors to http_filters and put the policy in typed_per_filter_config as "@type": ${CORS_POLICY_TYPE}`,
  );
}
