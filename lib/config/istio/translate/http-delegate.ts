/**
 * Delegation: a root rule with `delegate` is replaced by the delegate VirtualService's rules,
 * each merged with the root rule as istiod's `mergeHTTPRoute` / `mergeHTTPMatchRequests` do
 * (pilot/pkg/model/virtualservice.go). One level only; a delegate rule whose matches are not
 * within the root rule's is dropped.
 */
import type { HttpMatchRequest, HttpRoute, StringMatch, VirtualService } from '../model.js';
import { type SourcedResource, visibleFrom } from '../sourced.js';
import { plainRoute, type SourcedHttpRoute, type SourcedMatch, warnAt } from './http-source.js';
import type { RouteTranslateContext } from './types.js';

/** The rules of a VirtualService with every delegating rule replaced by its delegate's rules. */
export function expandDelegates(
  vs: SourcedResource<VirtualService>,
  ctx: RouteTranslateContext,
): SourcedHttpRoute[] {
  const ns = vs.resource.metadata.namespace;
  const out: SourcedHttpRoute[] = [];
  vs.resource.spec.http.forEach((h, i) => {
    const root = plainRoute(h, vs.file, i, ns);
    if (h.delegate === null) {
      out.push(root);
      return;
    }
    const { name, namespace } = h.delegate;
    const d = ctx.delegate(name, namespace);
    const where = `delegate VirtualService ${namespace}/${name}`;
    if (d === undefined || d.resource.spec.hosts.length > 0) {
      const why = d === undefined ? 'not found' : 'has hosts, so it is not a delegate';
      warnAt(ctx.sink, root.own, 'delegate', `${where} ${why}; rule skipped`);
      return;
    }
    const dm = d.resource.metadata;
    if (!visibleFrom(d.resource.spec.exportTo, dm.namespace, ns)) {
      warnAt(ctx.sink, root.own, 'delegate', `${where} is not exported to namespace ${ns}; rule skipped`);
      return;
    }
    d.resource.spec.http.forEach((sub, j) => {
      const child = plainRoute(sub, d.file, j, dm.namespace);
      if (sub.delegate !== null) {
        warnAt(
          ctx.sink,
          child.own,
          'delegate',
          'a delegate VirtualService cannot delegate again; rule skipped',
        );
        return;
      }
      const merged = mergeRoute(root, child);
      if (merged === null) {
        warnAt(
          ctx.sink,
          child.own,
          'match',
          `not within the matches of ${vs.file === d.file ? '' : `${vs.file} `}${root.own.path} that delegates to it; rule dropped`,
        );
      } else out.push(merged);
    });
  });
  return out;
}

/** Fields of a delegate rule that fall back to the root rule's when unset. */
function inheritedFields(root: HttpRoute, leaf: HttpRoute): (keyof HttpRoute)[] {
  const out: (keyof HttpRoute)[] = [];
  if (leaf.rewrite === null && root.rewrite !== null) out.push('rewrite');
  if (leaf.timeoutMs === null && root.timeoutMs !== null) out.push('timeoutMs');
  if (leaf.retries === null && root.retries !== null) out.push('retries');
  if (leaf.fault === null && root.fault !== null) out.push('fault');
  if (leaf.mirror === null && root.mirror !== null) out.push('mirror');
  if (leaf.mirrorPercentage === null && root.mirrorPercentage !== null) out.push('mirrorPercentage');
  if (leaf.corsPolicy === null && root.corsPolicy !== null) out.push('corsPolicy');
  if (leaf.mirrors.length === 0 && root.mirrors.length > 0) out.push('mirrors');
  if (leaf.headers === null && root.headers !== null) out.push('headers');
  return out;
}

function mergeRoute(root: SourcedHttpRoute, leaf: SourcedHttpRoute): SourcedHttpRoute | null {
  const matches = mergeMatches(root.matches, leaf.matches);
  if (matches === null) return null;
  const inherited = inheritedFields(root.route, leaf.route);
  const from: Record<string, unknown> = {};
  for (const f of inherited) from[f] = root.route[f];
  const l = leaf.route;
  const route: HttpRoute = {
    ...l,
    ...from,
    name: l.name === '' ? root.route.name : root.route.name === '' ? l.name : `${root.route.name}-${l.name}`,
    match: matches.map((m) => m.match),
  };
  return { route, own: leaf.own, root: root.own, inherited: new Set(inherited), matches };
}

/** Each delegate match merged with every root match it fits in; null when one fits in none. */
function mergeMatches(root: readonly SourcedMatch[], leaf: readonly SourcedMatch[]): SourcedMatch[] | null {
  if (root.length === 0) return [...leaf];
  if (leaf.length === 0) return [...root];
  const out: SourcedMatch[] = [];
  for (const sub of leaf) {
    let found = false;
    for (const r of root) {
      if (hasConflict(r.match, sub.match)) continue;
      out.push({ match: mergeMatch(r.match, sub.match), source: sub.source });
      found = true;
    }
    if (!found) return null;
  }
  return out;
}

function joinName(root: string, leaf: string): string {
  return leaf === '' ? root : root === '' ? leaf : `${root}-${leaf}`;
}

function mergeMatch(root: HttpMatchRequest, leaf: HttpMatchRequest): HttpMatchRequest {
  return {
    ...leaf,
    name: joinName(root.name, leaf.name),
    uri: leaf.uri ?? root.uri,
    scheme: leaf.scheme ?? root.scheme,
    method: leaf.method ?? root.method,
    authority: leaf.authority ?? root.authority,
    headers: { ...root.headers, ...leaf.headers },
    withoutHeaders: { ...root.withoutHeaders, ...leaf.withoutHeaders },
    queryParams: { ...root.queryParams, ...leaf.queryParams },
    port: leaf.port === 0 ? root.port : leaf.port,
    sourceLabels: { ...root.sourceLabels, ...leaf.sourceLabels },
    sourceNamespace: leaf.sourceNamespace === '' ? root.sourceNamespace : leaf.sourceNamespace,
    gateways: leaf.gateways.length === 0 ? root.gateways : leaf.gateways,
    statPrefix: leaf.statPrefix === '' ? root.statPrefix : leaf.statPrefix,
  };
}

/** istiod's `hasConflict`: true when `leaf` is not within `root`. */
function hasConflict(root: HttpMatchRequest, leaf: HttpMatchRequest): boolean {
  const pairs: [StringMatch | null, StringMatch | null][] = [
    [root.uri, leaf.uri],
    [root.scheme, leaf.scheme],
    [root.method, leaf.method],
    [root.authority, leaf.authority],
  ];
  for (const [k, v] of Object.entries(leaf.headers)) pairs.push([root.headers[k] ?? null, v]);
  for (const [k, v] of Object.entries(leaf.withoutHeaders)) pairs.push([root.withoutHeaders[k] ?? null, v]);
  for (const [k, v] of Object.entries(leaf.queryParams)) pairs.push([root.queryParams[k] ?? null, v]);
  if (pairs.some(([r, l]) => stringMatchConflict(r, l))) return true;
  if (root.ignoreUriCase !== leaf.ignoreUriCase) return true;
  if (root.port > 0 && leaf.port > 0 && root.port !== leaf.port) return true;
  if (root.sourceNamespace !== '' && leaf.sourceNamespace !== root.sourceNamespace) return true;
  for (const [k, v] of Object.entries(leaf.sourceLabels)) {
    const rv = root.sourceLabels[k];
    if (rv !== undefined && rv !== v) return true;
  }
  if (root.gateways.length > 0 && leaf.gateways.length > 0) {
    if (root.gateways.length < leaf.gateways.length) return true;
    if (leaf.gateways.some((g) => !root.gateways.includes(g))) return true;
  }
  return false;
}

// Go's proto getters: "" unless the match is of that type (so `exact: ""` and `{}` read as unset).
function get(s: StringMatch, type: StringMatch['type']): string {
  return s.type === type ? s.value : '';
}

/** istiod's `stringMatchConflict`: a leaf must narrow its root (prefix within prefix, same exact). */
function stringMatchConflict(root: StringMatch | null, leaf: StringMatch | null): boolean {
  if (root === null || leaf === null) return false;
  const rRegex = get(root, 'regex');
  const lRegex = get(leaf, 'regex');
  const rExact = get(root, 'exact');
  const lExact = get(leaf, 'exact');
  const rPrefix = get(root, 'prefix');
  const lPrefix = get(leaf, 'prefix');
  // A property matched by regex may be matched on one side only.
  if (rRegex !== '' && (lRegex !== '' || lPrefix !== '' || lExact !== '')) return true;
  if (lRegex !== '' && (rRegex !== '' || rPrefix !== '' || rExact !== '')) return true;
  if (rExact !== '') return lPrefix !== '' || lExact !== rExact;
  if (rPrefix !== '') {
    if (lPrefix !== '') return !lPrefix.startsWith(rPrefix);
    if (lExact !== '') return !lExact.startsWith(rPrefix);
  }
  return true;
}
