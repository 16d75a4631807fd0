/**
 * A VirtualService's `http[]` → the Envoy routes istiod puts on one route table (one listener
 * port) of one sidecar, in order, first match wins (`BuildHTTPRoutesForVirtualService` and
 * `translateRoute` in pilot/pkg/networking/core/route/route.go).
 */
import type { ConfigIssue } from '../../errors.js';
import type { RouteActionConfig, RouteConfig, RouteMatchConfig, TypedPerFilterConfig } from '../../model.js';
import type { VirtualService } from '../model.js';
import type { SourcedResource } from '../sourced.js';
import { expandDelegates } from './http-delegate.js';
import { translateCors, translateFault } from './http-fault-cors.js';
import { NO_MUTATIONS, translateHeaders } from './http-headers.js';
import {
  routeOperation,
  translateDirectResponse,
  translateForward,
  translateRedirect,
} from './http-route-action.js';
import { CATCH_ALL_MATCH, isCatchAll, matchAppliesTo, translateMatch } from './http-route-match.js';
import { type SourcedHttpRoute, sourceOf, warnAt } from './http-source.js';
import { FILTER_NAMES, type RouteTranslateContext } from './types.js';

/**
 * The routes of `vs` for the route table of `listenerPort`: one per emitted match (a rule
 * without matches gives one `prefix: /` route), stopping after the first catch-all route as
 * istiod does. Problems that cannot be represented go to `ctx.sink.warnings`.
 */
export function translateHttpRoutes(
  vs: SourcedResource<VirtualService>,
  listenerPort: number,
  ctx: RouteTranslateContext,
): RouteConfig[] {
  // A rule is translated once per match, so its warnings are collected and reported once.
  const warnings: ConfigIssue[] = [];
  const local: RouteTranslateContext = {
    resolve: (dest, namespace, port) => ctx.resolve(dest, namespace, port),
    delegate: (name, namespace) => ctx.delegate(name, namespace),
    sink: { issues: ctx.sink.issues, warnings },
    workload: ctx.workload,
  };
  const out = translateRules(vs, listenerPort, local);
  const seen = new Set<string>();
  for (const w of warnings) {
    const key = `${w.file}\n${w.path}\n${w.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    ctx.sink.warnings.push(w);
  }
  return out;
}

function translateRules(
  vs: SourcedResource<VirtualService>,
  listenerPort: number,
  ctx: RouteTranslateContext,
): RouteConfig[] {
  const out: RouteConfig[] = [];
  for (const rule of expandDelegates(vs, ctx)) {
    if (rule.matches.length === 0) {
      const r = translateRule(rule, CATCH_ALL_MATCH, '', vs.resource.metadata.name, listenerPort, ctx);
      if (r !== null) out.push(r);
      return out;
    }
    for (const sm of rule.matches) {
      if (!matchAppliesTo(sm.match, listenerPort, ctx.workload)) continue;
      const match = translateMatch(sm, ctx.sink);
      if (match === null) continue;
      const r = translateRule(rule, match, sm.match.name, vs.resource.metadata.name, listenerPort, ctx);
      if (r === null) continue;
      out.push(r);
      if (isCatchAll(match)) return out;
    }
  }
  return out;
}

function translateRule(
  rule: SourcedHttpRoute,
  match: RouteMatchConfig,
  matchName: string,
  vsName: string,
  listenerPort: number,
  ctx: RouteTranslateContext,
): RouteConfig | null {
  const h = rule.route;
  let action: RouteActionConfig | null;
  let headers = NO_MUTATIONS;
  if (h.redirect !== null || h.directResponse !== null) {
    headers = translateHeaders(h.headers).mutations;
    action =
      h.redirect !== null
        ? translateRedirect(rule, h.redirect, listenerPort, ctx)
        : translateDirectResponse(h.directResponse!);
    if (h.rewrite !== null) {
      warnAt(
        ctx.sink,
        sourceOf(rule, 'rewrite'),
        'rewrite',
        'a rewrite has no effect on a redirect or direct response',
      );
    }
  } else {
    const fwd = translateForward(rule, listenerPort, ctx);
    action = fwd.action;
    headers = fwd.headers;
  }
  if (action === null) return null;
  const perFilter = perFilterConfig(rule, ctx);
  return {
    name: matchName === '' ? h.name : `${h.name}.${matchName}`,
    match,
    action,
    headers,
    decoratorOperation: routeOperation(
      match.path,
      action.kind === 'forward' && action.target.kind === 'cluster' ? action.target.name : null,
      vsName,
      listenerPort,
    ),
    perRequestBufferLimitBytes: null,
    ...(perFilter === null ? {} : { typedPerFilterConfig: perFilter }),
  };
}

function perFilterConfig(rule: SourcedHttpRoute, ctx: RouteTranslateContext): TypedPerFilterConfig | null {
  const h = rule.route;
  if (h.fault === null && h.corsPolicy === null) return null;
  const out: Record<string, TypedPerFilterConfig[string]> = {};
  if (h.fault !== null) {
    const fault = translateFault(h.fault, sourceOf(rule, 'fault'), ctx.sink);
    if (fault !== null) out[FILTER_NAMES.fault] = { kind: 'fault', fault };
  }
  if (h.corsPolicy !== null) out[FILTER_NAMES.cors] = { kind: 'cors', policy: translateCors(h.corsPolicy) };
  return out;
}
