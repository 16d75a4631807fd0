/**
 * IST0130 and IST0131, istiod's `analyzeUnreachable*Rules`: rules are tried in order and the
 * first match wins, so a rule without matches catches everything after it, and a match that an
 * earlier match already catches never fires. Skiff also counts a match as covered when an earlier
 * one is strictly looser (a shorter URI prefix, fewer conditions), not only when identical.
 */
import type { HttpMatchRequest, HttpRoute, L4Route, VirtualService } from '../istio/model.js';
import type { SourcedResource } from '../istio/sourced.js';
import type { AnalysisContext } from './context.js';
import { type Finding, finding } from './finding.js';
import { matchCovers, stableKey } from './match-cover.js';

type Source = SourcedResource<VirtualService>;

function ruleName(rule: HttpRoute | L4Route, n: number): string {
  return 'name' in rule && rule.name !== '' ? JSON.stringify(rule.name) : `#${n}`;
}

function matchName(m: HttpMatchRequest | object, n: number): string {
  return 'name' in m && typeof m.name === 'string' && m.name !== '' ? JSON.stringify(m.name) : `#${n}`;
}

function unreachable(vs: Source, path: string, rule: string, reason: string, hint: string): Finding {
  return finding('IST0130', vs, path, `VirtualService rule ${rule} not used (${reason}).`, hint);
}

type Covers<M> = (earlier: M, later: M) => boolean;

function analyzeRules<M extends object>(
  vs: Source,
  section: 'http' | 'tcp' | 'tls',
  rules: readonly (HttpRoute | L4Route)[],
  matchesOf: (r: HttpRoute | L4Route) => readonly M[],
  covers: Covers<M>,
  out: Finding[],
): void {
  const seen: { match: M; rule: number }[] = [];
  let catchAll = -1;
  rules.forEach((rule, n) => {
    const path = `spec.${section}[${n}]`;
    const name = ruleName(rule, n);
    const matches = matchesOf(rule);
    if (matches.length === 0) {
      if (catchAll >= 0) {
        out.push(
          unreachable(
            vs,
            path,
            name,
            'only the last rule can have no matches',
            `Rule ${ruleName(rules[catchAll]!, catchAll)} has no match and takes every request first; give it a match, or move it last and merge this rule into it.`,
          ),
        );
      }
      catchAll = n;
      return;
    }
    if (catchAll >= 0) {
      out.push(
        unreachable(
          vs,
          path,
          name,
          'route without matches defined before',
          `Move rule ${ruleName(rules[catchAll]!, catchAll)} (no match: it catches everything) to the end of spec.${section}.`,
        ),
      );
      return;
    }
    let covered = 0;
    matches.forEach((m, j) => {
      const dup = seen.find((s) => covers(s.match, m));
      if (dup === undefined) {
        seen.push({ match: m, rule: n });
        return;
      }
      covered++;
      const dupName = ruleName(rules[dup.rule]!, dup.rule);
      out.push(
        finding(
          'IST0131',
          vs,
          `${path}.match[${j}]`,
          `VirtualService rule ${name} match ${matchName(m, j)} is not used (duplicate/overlapping match in rule ${dupName}).`,
          `Remove this match, or move rule ${name} before rule ${dupName} if it should win (more specific matches first).`,
        ),
      );
    });
    if (covered === matches.length) {
      out.push(
        unreachable(
          vs,
          path,
          name,
          'all matches used by prior rules',
          `Earlier rules catch every request this rule matches: remove it, or move it before them.`,
        ),
      );
    }
  });
}

/** IST0130/IST0131 for the http, tcp and tls rules of every VirtualService. */
export function analyzeUnreachableRules(ctx: AnalysisContext): Finding[] {
  const out: Finding[] = [];
  const l4Same = (a: object, b: object) => stableKey(a) === stableKey(b);
  for (const vs of ctx.virtualServices) {
    const { spec } = vs.resource;
    analyzeRules<HttpMatchRequest>(vs, 'http', spec.http, (r) => (r as HttpRoute).match, matchCovers, out);
    analyzeRules<object>(vs, 'tcp', spec.tcp, (r) => r.match, l4Same, out);
    analyzeRules<object>(vs, 'tls', spec.tls, (r) => r.match, l4Same, out);
  }
  return out;
}
