import type { RouteActionConfig, RouteConfig } from '../model.js';
import type { FieldReader } from '../reader.js';
import { DECORATOR_RULES, ROUTE_RULES } from './field-rules.js';
import { readHeaderMutations } from './header-mutations.js';
import { readTypedPerFilterConfig } from './per-filter-config.js';
import {
  type ClusterRef,
  readDirectResponse,
  readForwardAction,
  readRedirectAction,
} from './route-action.js';
import { readRouteMatch } from './route-match.js';

export function readRoute(r: FieldReader, refs: ClusterRef[], maxBodyBytes: number): RouteConfig | undefined {
  const name = r.string('name') ?? '';
  const m = r.requiredObject('match');
  const match = m === undefined ? undefined : readRouteMatch(m);
  const which = r.oneOf(['route', 'redirect', 'direct_response'], true);
  let action: RouteActionConfig | undefined;
  const a = which === undefined ? undefined : r.object(which);
  if (a !== undefined && which === 'route') {
    const fwd = readForwardAction(a, refs);
    if (fwd !== undefined) action = fwd.action;
  } else if (a !== undefined && which === 'redirect') {
    action = readRedirectAction(a);
  } else if (a !== undefined) {
    action = readDirectResponse(a, maxBodyBytes);
  }
  const headers = readHeaderMutations(r);
  let decoratorOperation: string | null = null;
  const d = r.object('decorator');
  if (d !== undefined) {
    decoratorOperation = d.requiredString('operation');
    d.finish(DECORATOR_RULES);
  }
  const perRequestBufferLimitBytes = r.int('per_request_buffer_limit_bytes', 0) ?? null;
  const typedPerFilterConfig = readTypedPerFilterConfig(r);
  r.finish(ROUTE_RULES);
  if (match === undefined || action === undefined) return undefined;
  const out: RouteConfig = { name, match, action, headers, decoratorOperation, perRequestBufferLimitBytes };
  return typedPerFilterConfig === undefined ? out : { ...out, typedPerFilterConfig };
}
