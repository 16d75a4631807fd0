import type { HttpFilterConfig } from '../model.js';
import type { FieldReader } from '../reader.js';
import { HTTP_FILTER_RULES, ROUTER_RULES } from './field-rules.js';
import { readTypedConfig, type TypedConfig } from './typed-config.js';

/** Decodes one HTTP filter's typed config. Add a filter = add a file and one entry below. */
type FilterDecoder = (name: string, config: FieldReader | undefined) => HttpFilterConfig;

interface FilterEntry {
  readonly names: readonly string[];
  readonly typeUrl: string;
  readonly decode: FilterDecoder;
}

const ROUTER_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router';

const FILTERS: readonly FilterEntry[] = [
  {
    names: ['envoy.filters.http.router', 'envoy.router'],
    typeUrl: ROUTER_TYPE,
    decode: (name, c) => {
      const cfg: HttpFilterConfig = {
        kind: 'router',
        name,
        suppressEnvoyHeaders: c?.bool('suppress_envoy_headers') ?? false,
        startChildSpan: c?.bool('start_child_span') ?? false,
      };
      c?.finish(ROUTER_RULES);
      return cfg;
    },
  },
];

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
    const entry = findFilter(name, tc);
    if (entry === undefined) {
      const what = tc === undefined ? `"${name}"` : `"${name}" (@type ${tc.typeUrl})`;
      if (optional) f.warn(null, `HTTP filter ${what} is not supported; skipped because is_optional is true`);
      else f.error('name', `HTTP filter ${what} is not supported yet (supported: envoy.filters.http.router)`);
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

function findFilter(name: string, tc: TypedConfig | undefined): FilterEntry | undefined {
  if (tc !== undefined) return FILTERS.find((e) => e.typeUrl === tc.typeUrl);
  return FILTERS.find((e) => e.names.includes(name));
}
