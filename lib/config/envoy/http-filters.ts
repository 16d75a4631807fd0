import type { HttpFilterConfig } from '../model.js';
import type { FieldReader } from '../reader.js';
import { HTTP_FILTER_RULES } from './field-rules.js';
import { findHttpFilterExtension, supportedHttpFilters } from './filter-registry.js';
import { readTypedConfig } from './typed-config.js';

export const DEFAULT_ROUTER: HttpFilterConfig = {
  kind: 'router',
  name: 'envoy.filters.http.router',
  suppressEnvoyHeaders: false,
  startChildSpan: false,
};

/** Decodes `http_filters` (default: a lone router) and enforces "the router is last". */
export function readHttpFilters(r: FieldReader): HttpFilterConfig[] {
  if (!r.has('http_filters')) {
    r.skip('http_filters');
    return [DEFAULT_ROUTER];
  }
  const out: HttpFilterConfig[] = [];
  const entries = r.objects('http_filters');
  if (entries.length === 0) return [DEFAULT_ROUTER];
  entries.forEach((f, i) => {
    const name = f.requiredString('name');
    const optional = f.bool('is_optional') ?? false;
    const tc = readTypedConfig(f);
    f.finish(HTTP_FILTER_RULES);
    const entry = findHttpFilterExtension(name, tc?.typeUrl);
    if (entry === undefined) {
      const what = tc === undefined ? `"${name}"` : `"${name}" (@type ${tc.typeUrl})`;
      if (optional) f.warn(null, `HTTP filter ${what} is not supported; skipped because is_optional is true`);
      else f.error('name', `HTTP filter ${what} is not supported yet (supported: ${supportedHttpFilters()})`);
      return;
    }
    const cfg = entry.decode(name, tc?.reader);
    if (cfg.kind === 'router' && i !== entries.length - 1) {
      f.error(null, 'the router filter must be the last HTTP filter');
    }
    out.push(cfg);
  });
  if (out[out.length - 1]?.kind !== 'router') {
    r.error('http_filters', 'the last HTTP filter must be the router (envoy.filters.http.router)');
  }
  return out;
}
