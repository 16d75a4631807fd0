import type { HttpFilterPerRouteConfig, TypedPerFilterConfig } from '../model.js';
import type { FieldReader } from '../reader.js';
import { findPerRouteExtension } from './filter-registry.js';
import { readTypedConfig, type TypedConfig } from './typed-config.js';

const FILTER_CONFIG_TYPE = 'type.googleapis.com/envoy.config.route.v3.FilterConfig';

/**
 * Decodes `typed_per_filter_config` (route configuration, virtual host, route or weighted
 * cluster): filter name → `Any`. As in Envoy, the config is decoded by its `@type`; an unknown
 * type, or a filter without per-route settings, rejects the config unless the value is wrapped in
 * `envoy.config.route.v3.FilterConfig` with `is_optional: true` (then it is skipped with a
 * warning). `FilterConfig{disabled: true}` disables the named filter on that route.
 * Returns undefined when the field is absent or nothing usable was decoded.
 */
export function readTypedPerFilterConfig(r: FieldReader): TypedPerFilterConfig | undefined {
  const m = r.map('typed_per_filter_config');
  if (m === undefined) return undefined;
  const out: Record<string, HttpFilterPerRouteConfig> = {};
  for (const name of m.names()) {
    const cfg = readOne(m, name);
    if (cfg !== undefined) out[name] = cfg;
  }
  m.finish();
  return Object.keys(out).length === 0 ? undefined : out;
}

function readOne(m: FieldReader, name: string): HttpFilterPerRouteConfig | undefined {
  if (name === '') {
    m.skip(name);
    m.error(null, 'a typed_per_filter_config key (filter name) must not be empty');
    return undefined;
  }
  let tc: TypedConfig | undefined = readTypedConfig(m, name);
  if (tc === undefined) return undefined;
  let optional = false;
  let owner = m;
  let field = name;
  if (tc.typeUrl === FILTER_CONFIG_TYPE) {
    const w = tc.reader;
    optional = w.bool('is_optional') ?? false;
    const disabled = w.bool('disabled') ?? false;
    const inner = readTypedConfig(w, 'config');
    w.finish();
    if (disabled) return { kind: 'disabled' };
    if (inner === undefined) {
      if (!w.has('config')) w.error(null, 'FilterConfig needs "config" unless "disabled" is true');
      return undefined;
    }
    tc = inner;
    owner = w;
    field = 'config';
  }
  const found = findPerRouteExtension(tc.typeUrl);
  const ext = found?.ext;
  const decode = found?.perRoute === true ? ext?.decodePerRoute : undefined;
  if (decode === undefined) {
    const why =
      ext === undefined
        ? `no supported HTTP filter has @type "${tc.typeUrl}"`
        : ext.perRouteTypeUrl !== undefined
          ? `HTTP filter ${ext.names[0]} takes "@type": ${ext.perRouteTypeUrl} per route`
          : `HTTP filter ${ext.names[0]} has no per-route configuration`;
    if (optional) owner.warn(field, `${why}; skipped because is_optional is true`);
    else owner.error(field, why);
    return undefined;
  }
  return decode(tc.reader);
}
