/** `HTTPRoute` and `HTTPRouteDestination` of a VirtualService. */
import type { FieldReader } from '../reader.js';
import { authoritySets, headersField, readHttpMatch } from './http-match.js';
import {
  readCors,
  readDirectResponse,
  readFault,
  readMirrors,
  readRedirect,
  readRetries,
  readRewrite,
} from './http-route-parts.js';
import { destinationField, durationField, int32Field, percentField } from './istio-common.js';
import type { HttpDelegate, HttpRoute, HttpRouteDestination } from './model.js';
import { isDns1123Label } from './names.js';

/** What a route's checks need to know about its VirtualService. */
export interface RouteContext {
  readonly namespace: string;
  /** Applies to sidecars (`mesh` or no gateways): JWT claim matches are rejected. */
  readonly meshBound: boolean;
  /** The VirtualService has no hosts: it is a delegate, whose routes cannot delegate again. */
  readonly isDelegate: boolean;
}

/**
 * Weighted destinations: weights are relative (Istio ≥ 1.15), so only a negative weight or,
 * with several destinations, a total of 0 is an error.
 */
export function readWeightedRoutes(r: FieldReader): HttpRouteDestination[] {
  const out: HttpRouteDestination[] = [];
  const items = r.objects('route');
  for (const d of items) {
    const destination = destinationField(d, 'destination');
    const weight = int32Field(d, 'weight');
    const headers = headersField(d, 'headers');
    d.finish();
    if (destination !== null) out.push({ destination, weight, headers });
  }
  if (items.length > 1 && out.length === items.length && out.every((d) => d.weight === 0)) {
    r.error('route', 'the total weight of several destinations must be greater than 0');
  }
  return out;
}

function readDelegate(r: FieldReader, namespace: string): HttpDelegate {
  const name = r.requiredString('name');
  const ns = r.string('namespace') ?? '';
  if (ns !== '' && !isDns1123Label(ns)) r.error('namespace', `invalid namespace "${ns}"`);
  r.finish();
  return { name, namespace: ns === '' ? namespace : ns };
}

/** One `http[]` entry. */
export function readHttpRoute(r: FieldReader, ctx: RouteContext): HttpRoute {
  const route = readWeightedRoutes(r);
  const redirect = r.object('redirect');
  const direct = r.object('directResponse');
  const delegate = r.object('delegate');
  const rewrite = r.object('rewrite');
  const fault = r.object('fault');
  const retries = r.object('retries');
  const cors = r.object('corsPolicy');
  const out: HttpRoute = {
    name: r.string('name') ?? '',
    match: r.objects('match').map((m) => readHttpMatch(m, ctx.meshBound)),
    route,
    redirect: redirect === undefined ? null : readRedirect(redirect),
    directResponse: direct === undefined ? null : readDirectResponse(direct),
    delegate: delegate === undefined ? null : readDelegate(delegate, ctx.namespace),
    rewrite: rewrite === undefined ? null : readRewrite(rewrite),
    timeoutMs: durationField(r, 'timeout'),
    retries: retries === undefined ? null : readRetries(retries),
    fault: fault === undefined ? null : readFault(fault),
    mirror: r.has('mirror') ? destinationField(r, 'mirror') : null,
    mirrors: readMirrors(r),
    mirrorPercentage: percentField(r, 'mirrorPercentage'),
    corsPolicy: cors === undefined ? null : readCors(cors),
    headers: headersField(r, 'headers'),
  };
  checkRouteShape(r, out, ctx);
  r.finish({ unsupported: { mirrorPercent: 'deprecated; use mirrorPercentage' } });
  return out;
}

function isEmptyList(v: unknown): boolean {
  return Array.isArray(v) && v.length === 0;
}

// istiod's validateHTTPRouteConflict, with "exactly one action" stated once.
function checkRouteShape(r: FieldReader, h: HttpRoute, ctx: RouteContext): void {
  const actions: string[] = [];
  if (r.has('route')) actions.push('route');
  if (h.redirect !== null || r.has('redirect')) actions.push('redirect');
  if (h.directResponse !== null || r.has('directResponse')) actions.push('directResponse');
  if (h.delegate !== null || r.has('delegate')) actions.push('delegate');
  if (actions.length > 1) {
    r.error(
      null,
      `only one of route, redirect, directResponse, delegate may be set (found ${actions.join(' and ')})`,
    );
  } else if (actions.length === 0) {
    r.error(null, 'one of route, redirect, directResponse or delegate is required');
  } else if (actions[0] === 'route' && isEmptyList(r.raw('route'))) {
    r.error('route', 'must contain at least one destination');
  }
  if (ctx.isDelegate && r.has('delegate'))
    r.error('delegate', 'a delegate VirtualService cannot delegate again');
  const local = h.redirect !== null ? 'redirect' : h.directResponse !== null ? 'directResponse' : null;
  if (local !== null) {
    if (r.has('fault')) r.error('fault', `cannot be combined with ${local}`);
    if (r.has('rewrite')) r.error('rewrite', `cannot be combined with ${local}`);
  }
  if (r.has('mirror') && r.has('mirrors')) r.error(null, 'only one of mirror and mirrors may be set');
  if ((h.rewrite !== null && h.rewrite.authority !== '' ? 1 : 0) + authoritySets(h.headers) > 1) {
    r.error('headers', 'the authority is set more than once (rewrite.authority and headers.request)');
  }
}
