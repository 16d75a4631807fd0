/**
 * The action of one translated rule, as istiod's `applyHTTPRouteDestination`, `ApplyRedirect`
 * and `ApplyDirectResponse` build it (pilot/pkg/networking/core/route/route.go): destinations
 * → cluster or weighted clusters with their headers and hash policies, rewrites, mirrors,
 * timeout and retries.
 */
import type {
  DirectResponseConfig,
  ForwardActionConfig,
  HashPolicyConfig,
  HeaderMutations,
  PathMatchConfig,
  RedirectActionConfig,
  RedirectResponseCode,
  RequestMirrorPolicyConfig,
  WeightedClusterConfig,
} from '../../model.js';
import type { HttpDirectResponse, HttpRedirect, IstioDestination, Percent } from '../model.js';
import { percentToFraction } from './http-fault-cors.js';
import { concatMutations, translateHeaders } from './http-headers.js';
import { translateRetries } from './http-retry.js';
import { type SourcedHttpRoute, sourceOf, warnAt } from './http-source.js';
import type { RouteTranslateContext } from './types.js';

/** A forward action and the headers the route gets with it (a single destination's join the route's). */
export interface TranslatedForward {
  readonly action: ForwardActionConfig;
  readonly headers: HeaderMutations;
}

const EVERY_REQUEST = { numerator: 100, denominator: 100 } as const;

/** istiod's `MirrorPercent`: absent = 100 %, an explicit 0 = no mirror (null). */
function mirrorFraction(p: Percent | null): RequestMirrorPolicyConfig['fraction'] | null {
  if (p === null) return EVERY_REQUEST;
  return p > 0 ? percentToFraction(p) : null;
}

function mirrorPolicies(
  r: SourcedHttpRoute,
  listenerPort: number,
  ctx: RouteTranslateContext,
): RequestMirrorPolicyConfig[] {
  const out: RequestMirrorPolicyConfig[] = [];
  const add = (dest: IstioDestination, namespace: string, p: Percent | null) => {
    const fraction = mirrorFraction(p);
    if (fraction === null) return;
    const cluster = ctx.resolve(dest, namespace, listenerPort).name;
    out.push({ cluster, fraction, disableShadowHostSuffixAppend: false });
  };
  const h = r.route;
  if (h.mirror !== null) add(h.mirror, sourceOf(r, 'mirror').namespace, h.mirrorPercentage);
  const ns = sourceOf(r, 'mirrors').namespace;
  for (const m of h.mirrors) add(m.destination, ns, m.percentage);
  return out;
}

/** A rule with `route[]` destinations → a forward action. */
export function translateForward(
  r: SourcedHttpRoute,
  listenerPort: number,
  ctx: RouteTranslateContext,
): TranslatedForward {
  const h = r.route;
  const own = r.own;
  const routeHeaders = translateHeaders(h.headers);
  let headers = routeHeaders.mutations;
  let hostRewrite = routeHeaders.authority;
  if (h.rewrite !== null && h.rewrite.authority !== '') hostRewrite = h.rewrite.authority;
  const hashPolicy: HashPolicyConfig[] = [];
  let target: ForwardActionConfig['target'];
  let previousHosts = true;
  if (h.route.length === 1) {
    const d = h.route[0]!;
    const ref = ctx.resolve(d.destination, own.namespace, listenerPort);
    target = { kind: 'cluster', name: ref.name };
    const dh = translateHeaders(d.headers);
    headers = concatMutations(headers, dh.mutations);
    // A destination's authority never overrides the route's own rewrite (istiod keeps single
    // and weighted destinations consistent this way).
    if (hostRewrite === '') hostRewrite = dh.authority;
    if (ref.hashPolicy !== undefined) hashPolicy.push(...ref.hashPolicy);
    previousHosts = ref.previousHostsAllowed;
  } else {
    const clusters: WeightedClusterConfig[] = [];
    for (const d of h.route) {
      if (d.weight === 0) continue;
      const ref = ctx.resolve(d.destination, own.namespace, listenerPort);
      const dh = translateHeaders(d.headers);
      clusters.push({
        name: ref.name,
        weight: d.weight,
        headers: dh.mutations,
        hostRewriteLiteral: dh.authority === '' ? null : dh.authority,
      });
      // istiod appends every weighted destination's hash policy, and keeps previous_hosts
      // for weighted routes even when a destination hashes (its consistentHash flag is only
      // set for a single destination).
      if (ref.hashPolicy !== undefined) hashPolicy.push(...ref.hashPolicy);
    }
    target = { kind: 'weighted', clusters };
  }
  const rewrite = h.rewrite;
  const mirrors = mirrorPolicies(r, listenerPort, ctx);
  const action: ForwardActionConfig = {
    kind: 'forward',
    target,
    prefixRewrite:
      rewrite !== null && rewrite.uriRegexRewrite === null && rewrite.uri !== '' ? rewrite.uri : null,
    regexRewrite:
      rewrite?.uriRegexRewrite != null
        ? { regex: rewrite.uriRegexRewrite.match, substitution: rewrite.uriRegexRewrite.rewrite }
        : null,
    hostRewriteLiteral: hostRewrite === '' ? null : hostRewrite,
    autoHostRewrite: false,
    // Istio's default is no route timeout (Envoy's would be 15 s).
    timeoutMs: h.timeoutMs ?? 0,
    idleTimeoutMs: null,
    retryPolicy: translateRetries(h.retries, previousHosts, sourceOf(r, 'retries'), ctx.sink),
    clusterNotFoundResponseCode: 503,
    ...(hashPolicy.length > 0 ? { hashPolicy } : {}),
    ...(mirrors.length > 0 ? { requestMirrorPolicies: mirrors } : {}),
  };
  return { action, headers };
}

const REDIRECT_CODES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/**
 * `HTTPRedirect`; null (with a warning) for a 3xx code Envoy cannot send, where istiod emits a
 * route without an action (which Envoy rejects).
 */
export function translateRedirect(
  r: SourcedHttpRoute,
  redirect: HttpRedirect,
  listenerPort: number,
  ctx: RouteTranslateContext,
): RedirectActionConfig | null {
  if (!REDIRECT_CODES.has(redirect.redirectCode)) {
    warnAt(
      ctx.sink,
      sourceOf(r, 'redirect'),
      'redirect.redirectCode',
      `redirect code ${redirect.redirectCode} is not supported (301, 302, 303, 307, 308); route dropped`,
    );
    return null;
  }
  let port: number | null = null;
  const portSet = redirect.port !== null || redirect.derivePort !== null;
  if (redirect.port !== null) port = redirect.port;
  // Routes are built per listener port, so "the request's port" is the listener's.
  else if (redirect.derivePort === 'FROM_REQUEST_PORT') port = listenerPort;
  if (portSet) {
    // A sidecar never terminates TLS: the scheme defaults to http. No explicit default ports.
    const scheme = redirect.scheme === '' ? 'http' : redirect.scheme;
    if ((port === 80 && scheme === 'http') || (port === 443 && scheme === 'https')) port = null;
  }
  return {
    kind: 'redirect',
    schemeRedirect: redirect.scheme === '' ? null : redirect.scheme,
    hostRedirect: redirect.authority === '' ? null : redirect.authority,
    portRedirect: port === 0 ? null : port,
    pathRedirect: redirect.uri === '' ? null : redirect.uri,
    prefixRewrite: null,
    regexRewrite: null,
    responseCode: redirect.redirectCode as RedirectResponseCode,
    stripQuery: false,
  };
}

/** `HTTPDirectResponse`. */
export function translateDirectResponse(d: HttpDirectResponse): DirectResponseConfig {
  return { kind: 'direct_response', status: d.status, body: d.body };
}

/**
 * istiod's `GetRouteOperation` (the span name): `<host>:<port><path>` for a single
 * `outbound|port|subset|host` cluster, else `<vs name>:<listener port><path>`, where path is
 * `<prefix>*`, the exact path or the regex.
 */
export function routeOperation(
  path: PathMatchConfig,
  cluster: string | null,
  vsName: string,
  listenerPort: number,
): string {
  const p =
    path.kind === 'prefix'
      ? `${path.value}*`
      : path.kind === 'path'
        ? path.value
        : path.kind === 'safe_regex'
          ? path.regex
          : '/*';
  if (cluster !== null) {
    const parts = cluster.split('|');
    const port = Number(parts[1]);
    if (
      parts.length === 4 &&
      (parts[0] === 'outbound' || parts[0] === 'inbound') &&
      Number.isInteger(port) &&
      port > 0
    ) {
      return `${parts[3]}:${port}${p}`;
    }
  }
  return `${vsName}:${listenerPort}${p}`;
}
