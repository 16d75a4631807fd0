import type { HttpFilterConfig, HttpFilterPerRouteConfig } from '../model.js';
import type { FieldReader } from '../reader.js';
import { CORS_POLICY_TYPE, CORS_TYPE, readCorsFilter, readCorsPolicy } from './cors.js';
import { FAULT_TYPE, readHttpFault } from './fault.js';
import { ROUTER_RULES } from './field-rules.js';
import { RBAC_PER_ROUTE_TYPE, RBAC_TYPE, readRbacPerRoute, readRbacSettings } from './rbac.js';

/**
 * One HTTP filter extension as the config decoder knows it. Adding a filter = one decoder file,
 * one entry in HTTP_FILTER_EXTENSIONS, and one builder in lib/filters/registry.ts.
 */
export interface HttpFilterExtension {
  /** Well-known names, used to find the extension when an entry has no typed_config. */
  readonly names: readonly string[];
  /** The `@type` of its typed_config (and of its per-route config, when it has one). */
  readonly typeUrl: string;
  /** Decodes the http_filters entry (`config` is undefined when typed_config is absent). */
  decode(name: string, config: FieldReader | undefined): HttpFilterConfig;
  /** Decodes a `typed_per_filter_config` value; absent when the filter has no per-route config. */
  readonly decodePerRoute?: (config: FieldReader) => HttpFilterPerRouteConfig;
  /** The `@type` of its per-route config when it differs from `typeUrl` (CORS: CorsPolicy). */
  readonly perRouteTypeUrl?: string;
}

const ROUTER: HttpFilterExtension = {
  names: ['envoy.filters.http.router', 'envoy.router'],
  typeUrl: 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router',
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
};

const FAULT: HttpFilterExtension = {
  names: ['envoy.filters.http.fault', 'envoy.fault'],
  typeUrl: FAULT_TYPE,
  decode: (name, c) => ({ kind: 'fault', name, fault: readHttpFault(c) }),
  // Envoy's per-route fault config is a whole HTTPFault that replaces the filter-level one.
  decodePerRoute: (c) => ({ kind: 'fault', fault: readHttpFault(c) }),
};

const CORS: HttpFilterExtension = {
  names: ['envoy.filters.http.cors', 'envoy.cors'],
  typeUrl: CORS_TYPE,
  decode: (name, c) => {
    readCorsFilter(c);
    return { kind: 'cors', name };
  },
  decodePerRoute: (c) => ({ kind: 'cors', policy: readCorsPolicy(c) }),
  perRouteTypeUrl: CORS_POLICY_TYPE,
};

const RBAC: HttpFilterExtension = {
  names: ['envoy.filters.http.rbac'],
  typeUrl: RBAC_TYPE,
  decode: (name, c) => ({ kind: 'rbac', name, ...readRbacSettings(c) }),
  decodePerRoute: (c) => ({ kind: 'rbac', rbac: readRbacPerRoute(c) }),
  perRouteTypeUrl: RBAC_PER_ROUTE_TYPE,
};

export const HTTP_FILTER_EXTENSIONS: readonly HttpFilterExtension[] = [ROUTER, FAULT, CORS, RBAC];

/** By `@type` (as current Envoy resolves extensions), else by well-known name. */
export function findHttpFilterExtension(
  name: string,
  typeUrl: string | undefined,
): HttpFilterExtension | undefined {
  if (typeUrl !== undefined) return HTTP_FILTER_EXTENSIONS.find((e) => e.typeUrl === typeUrl);
  return HTTP_FILTER_EXTENSIONS.find((e) => e.names.includes(name));
}

/**
 * The extension whose typed_per_filter_config has this `@type`, or (so the error can name the
 * filter) whose http_filters config has it; `perRoute` tells which of the two matched.
 */
export function findPerRouteExtension(
  typeUrl: string,
): { readonly ext: HttpFilterExtension; readonly perRoute: boolean } | undefined {
  const ext = HTTP_FILTER_EXTENSIONS.find((e) => (e.perRouteTypeUrl ?? e.typeUrl) === typeUrl);
  if (ext !== undefined) return { ext, perRoute: true };
  const other = HTTP_FILTER_EXTENSIONS.find((e) => e.typeUrl === typeUrl);
  return other === undefined ? undefined : { ext: other, perRoute: false };
}

/** The supported names, for error messages. */
export function supportedHttpFilters(): string {
  return HTTP_FILTER_EXTENSIONS.map((e) => e.names[0]).join(', ');
}
