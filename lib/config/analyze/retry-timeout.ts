/**
 * SKF0003: retries that cannot all run inside the route timeout. Envoy's route `timeout` covers
 * the whole request including every retry, while `perTryTimeout` bounds each attempt; when
 * (attempts + 1) × perTryTimeout exceeds the timeout, the route timeout fires while retries are
 * left and the client gets 504 (UT) instead of the retry it was promised. A route without
 * `retries` gets istiod's 2 retries with no per-try timeout (each try may use what is left of the
 * route timeout), and a route without `timeout` has none in Istio; neither can conflict.
 */
import type { AnalysisContext } from './context.js';
import { type Finding, finding } from './finding.js';

function duration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/** SKF0003 for every http rule whose retries outlast its timeout. */
export function analyzeRetryTimeouts(ctx: AnalysisContext): Finding[] {
  const out: Finding[] = [];
  for (const vs of ctx.virtualServices) {
    vs.resource.spec.http.forEach((rule, i) => {
      const timeout = rule.timeoutMs;
      const r = rule.retries;
      if (timeout === null || timeout <= 0 || r === null || r.attempts <= 0 || r.perTryTimeoutMs === null)
        return;
      const perTry = r.perTryTimeoutMs;
      const tries = r.attempts + 1;
      const total = tries * perTry;
      if (total <= timeout) return;
      const fit = Math.floor(timeout / perTry);
      const cut =
        perTry >= timeout
          ? `perTryTimeout ${duration(perTry)} is not shorter than the route timeout ${duration(timeout)}, so a slow first try is cut by the route timeout and no retry runs`
          : `the route timeout ${duration(timeout)} fires after ${fit} full tr${fit === 1 ? 'y' : 'ies'}, so the last ${tries - fit} retr${tries - fit === 1 ? 'y is' : 'ies are'} cut short`;
      out.push(
        finding(
          'SKF0003',
          vs,
          `spec.http[${i}].retries`,
          `Retries can outlive the route timeout: 1 try + ${r.attempts} retr${r.attempts === 1 ? 'y' : 'ies'} × perTryTimeout ${duration(perTry)} = ${duration(total)} > timeout ${duration(timeout)}; ${cut} and the client gets 504 (UT).`,
          `Make spec.http[${i}].timeout at least ${duration(total)} plus back-off (25ms base, jittered), or lower attempts/perTryTimeout so that (attempts + 1) × perTryTimeout ≤ timeout.`,
        ),
      );
    });
  }
  return out;
}
