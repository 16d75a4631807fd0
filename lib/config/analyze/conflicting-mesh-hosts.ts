/**
 * IST0109: two or more VirtualServices bound to `mesh` for one host, in one export scope.
 * istiod builds one sidecar virtual host per host and keeps only the first VirtualService in its
 * order (oldest `creationTimestamp`, then name, then namespace); the others are dropped whole.
 * That is how a 5 % canary silently becomes 0 % or 100 %: the rules that split traffic are simply
 * not the ones in force.
 */
import { resolveHostname } from '../istio/hosts.js';
import type { VirtualService } from '../istio/model.js';
import type { SourcedResource } from '../istio/sourced.js';
import { type AnalysisContext, boundToMesh } from './context.js';
import { type Finding, finding } from './finding.js';

interface Claim {
  readonly vs: SourcedResource<VirtualService>;
  readonly hostIndex: number;
}

function scopes(vs: VirtualService): string[] {
  const { exportTo } = vs.spec;
  if (exportTo.length === 0 || exportTo.includes('*')) return ['*'];
  return [...new Set(exportTo.map((e) => (e === '.' ? vs.metadata.namespace : e)))];
}

function qualified(vs: VirtualService): string {
  return `${vs.metadata.namespace}/${vs.metadata.name}`;
}

/** Why `winner` comes first in istiod's order over `other`. */
function reason(winner: VirtualService, other: VirtualService): string {
  const tw = winner.metadata.creationTimestamp;
  const to = other.metadata.creationTimestamp;
  if (tw !== to) {
    if (tw === null) return `${qualified(winner)} has no creationTimestamp, which istiod orders first`;
    return `${qualified(winner)} is older (creationTimestamp ${tw} vs ${to ?? 'none'})`;
  }
  const same = tw === null ? 'neither has a creationTimestamp' : 'both have the same creationTimestamp';
  if (winner.metadata.name !== other.metadata.name) return `${same}, so istiod orders them by name`;
  return `${same} and name, so istiod orders them by namespace`;
}

/** IST0109 on every VirtualService of a conflicting group, naming the one in force. */
export function analyzeConflictingMeshHosts(ctx: AnalysisContext): Finding[] {
  const groups = new Map<string, Claim[]>();
  for (const vs of ctx.virtualServices) {
    if (!boundToMesh(vs.resource)) continue;
    const ns = vs.resource.metadata.namespace;
    for (const scope of scopes(vs.resource)) {
      vs.resource.spec.hosts.forEach((h, hostIndex) => {
        const key = `${scope}/${resolveHostname(h, ns)}`;
        const claims = groups.get(key) ?? [];
        // One VirtualService listing a host twice does not conflict with itself.
        if (!claims.some((c) => c.vs === vs)) claims.push({ vs, hostIndex });
        groups.set(key, claims);
      });
    }
  }
  const out: Finding[] = [];
  for (const [key, claims] of groups) {
    if (claims.length < 2) continue;
    // ctx.virtualServices is in istiod's order, so the first claim is the one istiod keeps.
    const winner = claims[0]!.vs.resource;
    const names = claims.map((c) => qualified(c.vs.resource)).join(',');
    const losers = claims.slice(1).map((c) => qualified(c.vs.resource));
    const why = reason(winner, claims[1]!.vs.resource);
    for (const c of claims) {
      out.push(
        finding(
          'IST0109',
          c.vs,
          `spec.hosts[${c.hostIndex}]`,
          `The VirtualServices ${names} associated with mesh gateway define the same host ${key} which can lead to undefined behavior. This can be fixed by merging the conflicting VirtualServices into a single resource. ` +
            `Sidecars use ${qualified(winner)} for this host (${why}); the rules of ${losers.join(', ')} are ignored.`,
          `Merge the http rules of ${names} into one VirtualService for this host (most specific matches first), or separate them with exportTo.`,
        ),
      );
    }
  }
  return out;
}
