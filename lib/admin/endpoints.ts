import { certsJson } from './certs-view.js';
import { clustersJson, clustersText } from './clusters-view.js';
import { acceptsHtml, dashboardJson, dashboardPage } from './dashboard-endpoint.js';
import { listenersJson, listenersText } from './listeners-view.js';
import { serverInfo } from './server-info.js';
import { parseStatsQuery } from './stats-query.js';
import { selectStats, statsJson, statsText } from './stats-text.js';
import type { AdminContext } from './types.js';

/** What an admin handler answers; the server adds the common headers. */
export interface AdminReply {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
  /** Runs once the response has been flushed (POST /quitquitquit). */
  readonly after?: () => void;
  /** Extra response headers (the dashboard's Content-Security-Policy). */
  readonly headers?: Readonly<Record<string, string>>;
}

/** The parts of the admin request a handler may look at besides the query. */
export interface AdminRequestInfo {
  /** The Accept header ('' when absent). */
  readonly accept: string;
}

/** One admin endpoint: Envoy's path, help line and whether it mutates (POST only). */
export interface AdminEndpoint {
  readonly path: string;
  readonly help: string;
  readonly mutates: boolean;
  handle(ctx: AdminContext, query: URLSearchParams, req: AdminRequestInfo): AdminReply | Promise<AdminReply>;
}

export const TEXT = 'text/plain; charset=UTF-8';
export const JSON_TYPE = 'application/json';
export const PROMETHEUS = 'text/plain; version=0.0.4; charset=utf-8';

const text = (body: string, status = 200): AdminReply => ({ status, contentType: TEXT, body });
const json = (v: unknown): AdminReply => ({
  status: 200,
  contentType: JSON_TYPE,
  body: `${JSON.stringify(v, null, 2)}\n`,
});
const wantsJson = (q: URLSearchParams): boolean => q.get('format') === 'json';

async function stats(ctx: AdminContext, q: URLSearchParams): Promise<AdminReply> {
  const sq = parseStatsQuery(q);
  if ('error' in sq) return text(`${sq.error}\n`, 400);
  const format = q.get('format');
  if (format === 'prometheus') return prometheus(ctx, q);
  const entries = selectStats(ctx.stats?.() ?? [], sq);
  if (format === 'json') return json(statsJson(entries));
  if (format !== null && format !== 'text') return text(`invalid format: ${format}\n`, 400);
  return text(statsText(entries));
}

async function prometheus(ctx: AdminContext, q: URLSearchParams): Promise<AdminReply> {
  const sq = parseStatsQuery(q);
  if ('error' in sq) return text(`${sq.error}\n`, 400);
  const body = await ctx.prometheus({ filter: sq.filter, usedOnly: sq.usedOnly });
  return { status: 200, contentType: PROMETHEUS, body };
}

/** Every endpoint, in `/help` order. */
export const ENDPOINTS: readonly AdminEndpoint[] = [
  {
    path: '/',
    help: 'Admin home page: live dashboard for browsers (Accept: text/html), else this list',
    mutates: false,
    handle: (ctx, _q, req) => (acceptsHtml(req.accept) ? dashboardPage(ctx) : text(helpText())),
  },
  {
    path: '/certs',
    help: 'print certs on machine',
    mutates: false,
    handle: (ctx) => json(certsJson(ctx.certificates?.() ?? null, Date.now())),
  },
  {
    path: '/clusters',
    help: 'upstream cluster status (?format=json)',
    mutates: false,
    handle: (ctx, q) =>
      wantsJson(q) ? json(clustersJson(ctx.clusters())) : text(clustersText(ctx.clusters())),
  },
  {
    path: '/config_dump',
    help: 'dump current Envoy configs (?include_eds)',
    mutates: false,
    // The encoder is loaded on first use: a sidecar that is never asked should not carry it.
    handle: async (ctx, q) => {
      const { configDump } = await import('./config-dump.js');
      return json(configDump(ctx.config(), ctx.lastReloadError?.() ?? null, q.has('include_eds')));
    },
  },
  {
    path: '/dashboard.json',
    help: 'the home page dashboard data: clusters, rates, latencies, recent local replies',
    mutates: false,
    handle: (ctx) => dashboardJson(ctx),
  },
  {
    path: '/healthcheck/fail',
    help: 'cause the server to fail health checks (not implemented)',
    mutates: true,
    handle: () => text('healthcheck/fail is not implemented by Skiff\n', 501),
  },
  {
    path: '/healthcheck/ok',
    help: 'cause the server to pass health checks (not implemented)',
    mutates: true,
    handle: () => text('healthcheck/ok is not implemented by Skiff\n', 501),
  },
  { path: '/help', help: 'print out list of admin commands', mutates: false, handle: () => text(helpText()) },
  {
    path: '/listeners',
    help: 'print listener info (?format=json)',
    mutates: false,
    handle: (ctx, q) =>
      wantsJson(q) ? json(listenersJson(ctx.listeners())) : text(listenersText(ctx.listeners())),
  },
  {
    path: '/quitquitquit',
    help: 'exit the server',
    mutates: true,
    handle: (ctx) => ({ ...text('OK\n'), after: () => ctx.quit() }),
  },
  {
    path: '/ready',
    help: 'print server state, return 200 if LIVE, otherwise return 503',
    mutates: false,
    handle: (ctx) => {
      const state = ctx.state();
      return text(`${state}\n`, state === 'LIVE' ? 200 : 503);
    },
  },
  {
    path: '/server_info',
    help: 'print server version/status information',
    mutates: false,
    handle: (ctx) => json(serverInfo(ctx)),
  },
  {
    path: '/stats',
    help: 'print server stats (?format=json|prometheus, ?filter=<regex>, ?usedonly, ?type=)',
    mutates: false,
    handle: stats,
  },
  {
    path: '/stats/prometheus',
    help: 'print server stats in prometheus format (?filter=<regex>, ?usedonly)',
    mutates: false,
    handle: prometheus,
  },
];

export const ENDPOINT_BY_PATH: ReadonlyMap<string, AdminEndpoint> = new Map(
  ENDPOINTS.map((e) => [e.path, e]),
);

/** Envoy's help layout: `admin commands are:` then one indented `path: help` line each. */
export function helpText(): string {
  let out = 'admin commands are:\n';
  for (const e of ENDPOINTS) out += `  ${e.path}: ${e.help}\n`;
  return out;
}
