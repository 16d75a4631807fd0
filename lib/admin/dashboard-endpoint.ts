import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { DashboardHistory } from './dashboard-history.js';
import { buildDashboard, DASHBOARD_METRICS, type DashboardClusterView } from './dashboard-json.js';
import { dashboardCsp, dashboardHtml } from './dashboard-page.js';
import { takeSnapshot } from './dashboard-series.js';
import { readExposition } from './exposition-reader.js';
import type { AdminContext } from './types.js';

/** What the dashboard handlers answer (shaped like the endpoints' AdminReply). */
export interface DashboardReply {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * The snapshot ring of each admin context. The ring is admin-side state (the runtime keeps no
 * history); keyed weakly so a stopped Skiff's history goes with it.
 */
const histories = new WeakMap<AdminContext, DashboardHistory>();

function historyOf(ctx: AdminContext): DashboardHistory {
  let h = histories.get(ctx);
  if (h === undefined) {
    h = new DashboardHistory();
    histories.set(ctx, h);
  }
  return h;
}

function clusterViews(ctx: AdminContext): DashboardClusterView[] {
  return ctx.clusters().map((cl) => ({
    name: cl.name,
    hosts: cl.hosts().map((h) => ({
      address: h.authority,
      flags: h.healthFlags,
      weight: h.weight,
      activeRequests: h.counters.activeRequests,
      requests: h.counters.rqTotal,
      errors: h.counters.rqError,
    })),
  }));
}

/** `GET /dashboard.json`: one poll of the page; also records the snapshot rates are computed from. */
export async function dashboardJson(
  ctx: AdminContext,
  monoNowMs = performance.now(),
): Promise<DashboardReply> {
  const samples = readExposition(await ctx.prometheus(), (name) => DASHBOARD_METRICS.has(name));
  const now = takeSnapshot(samples, monoNowMs);
  const history = historyOf(ctx);
  const base = history.baseline(now);
  history.add(now);
  const doc = buildDashboard({
    nowWallMs: Date.now(),
    server: { version: ctx.version(), state: ctx.state(), uptimeSeconds: ctx.uptimeSeconds() },
    clusters: clusterViews(ctx),
    samples,
    now,
    base,
    localReplies: ctx.recentLocalReplies?.() ?? [],
  });
  return { status: 200, contentType: 'application/json', body: `${JSON.stringify(doc)}\n` };
}

/** `GET /` for a browser: the page, with a per-response nonce for its inline style and script. */
export function dashboardPage(ctx: AdminContext): DashboardReply {
  const nonce = randomBytes(16).toString('base64');
  return {
    status: 200,
    contentType: 'text/html; charset=UTF-8',
    body: dashboardHtml(ctx.version(), nonce),
    headers: { 'content-security-policy': dashboardCsp(nonce) },
  };
}

/** True when the client asked for HTML (browsers do; curl's default `*\/*` does not). */
export function acceptsHtml(accept: string | undefined): boolean {
  if (accept === undefined) return false;
  for (const part of accept.split(',')) {
    const [type, ...params] = part.trim().toLowerCase().split(';');
    if (type?.trim() !== 'text/html') continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  }
  return false;
}
